/**
 * The work a runner does for one claimed sandbox, reported to the control
 * plane as it goes: provisioning stage by stage (from the stage a retry starts
 * at), stop, resume, cleanup, and the sweep for containers and worktrees that
 * disappeared. Nothing here deletes committed work: cleanup keeps a worktree
 * whose branch is neither merged nor pushed, and says so.
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Id } from "../../convex/_generated/dataModel";
import { SANDBOX_STAGES } from "../../convex/model/sandboxStages";
import type { SandboxStage } from "../../convex/validators";
import { LineTail } from "../util/lineTail";
import {
  containersWithLabel,
  containerState,
  removeContainer,
  stopContainer,
} from "./docker";
import { removeWorktree } from "./worktreeCleanup";
import { SandboxStageError } from "./stageError";
import {
  STAGE_RUNNERS,
  worktreePathOf,
  writeTarget,
  type Sandbox,
  type SandboxEnvironment,
  type StageFacts,
} from "./stages";

/** The control plane as a runner needs it (built from a client by runnerCalls.ts). */
export type RunnerCalls = {
  claimWork(): Promise<Sandbox | null>;
  listLive(): Promise<Sandbox[]>;
  reportStage(
    sandboxId: Id<"sandboxes">,
    report: {
      stage: SandboxStage;
      state: "running" | "done" | "failed";
      error?: string;
      logTail?: string;
      facts?: StageFacts;
    },
  ): Promise<Sandbox>;
  reportLifecycle(
    sandboxId: Id<"sandboxes">,
    outcome: "stopped" | "ready" | "cleaned" | "kept" | "missing",
    note?: string,
  ): Promise<void>;
  issueToken(sandboxId: Id<"sandboxes">): Promise<string>;
};

/** Stages a resumed (restarted) container goes through again. */
const RESUME_STAGES: readonly SandboxStage[] = ["container", "health"];

/** Per stage: how long it took (ms), for logs and the benchmark. */
export type StageTimings = Partial<Record<SandboxStage, number>>;

export async function provision(
  sandbox: Sandbox,
  env: SandboxEnvironment,
  calls: RunnerCalls,
  stages: readonly SandboxStage[] = SANDBOX_STAGES.slice(
    SANDBOX_STAGES.indexOf(sandbox.startStage),
  ),
): Promise<{ ok: boolean; timings: StageTimings }> {
  let current = sandbox;
  const timings: StageTimings = {};
  for (const stage of stages) {
    const tail = new LineTail(40);
    const onLog = (line: string) => void tail.push(`${line}\n`);
    current = await calls.reportStage(current._id, { stage, state: "running" });
    const started = performance.now();
    let facts: StageFacts;
    try {
      const run = { sandbox: current, env, onLog };
      const sandboxId = current._id;
      let target: ReturnType<typeof writeTarget> | undefined;
      facts = await STAGE_RUNNERS[stage]({
        ...run,
        target: () => (target ??= writeTarget(run)),
        issueToken: () => calls.issueToken(sandboxId),
      });
    } catch (error) {
      await calls.reportStage(current._id, {
        stage,
        state: "failed",
        error: error instanceof Error ? error.message : String(error),
        logTail:
          error instanceof SandboxStageError && error.logTail !== ""
            ? error.logTail
            : tail.text(),
      });
      return { ok: false, timings };
    }
    timings[stage] = performance.now() - started;
    current = await calls.reportStage(current._id, {
      stage,
      state: "done",
      facts,
      logTail: tail.text(),
    });
  }
  return { ok: true, timings };
}

export async function resume(
  sandbox: Sandbox,
  env: SandboxEnvironment,
  calls: RunnerCalls,
): Promise<boolean> {
  return (await provision(sandbox, env, calls, RESUME_STAGES)).ok;
}

export async function stop(
  sandbox: Sandbox,
  env: SandboxEnvironment,
  calls: RunnerCalls,
): Promise<void> {
  for (const id of await sandboxContainers(sandbox, env)) {
    await stopContainer(id, env.dockerHost);
  }
  await calls.reportLifecycle(sandbox._id, "stopped");
}

/**
 * Removes the container, then the worktree only if its work is safe (merged
 * or pushed, nothing uncommitted); otherwise keeps it and says why.
 */
export async function cleanUp(
  sandbox: Sandbox,
  env: SandboxEnvironment,
  calls: RunnerCalls,
): Promise<"cleaned" | "kept"> {
  for (const id of await sandboxContainers(sandbox, env)) {
    await removeContainer(id, env.dockerHost);
  }
  await rm(join(env.stateDir, sandbox._id), { recursive: true, force: true });
  if (sandbox.worktreePath === undefined) {
    await calls.reportLifecycle(
      sandbox._id,
      "cleaned",
      "No worktree was made.",
    );
    return "cleaned";
  }
  const result = await removeWorktree({
    repository: env.repository,
    worktreePath: sandbox.worktreePath,
    branch: sandbox.branch,
    baseBranch: sandbox.baseBranch,
  });
  const outcome = result.removed ? "cleaned" : "kept";
  await calls.reportLifecycle(sandbox._id, outcome, result.reason);
  return outcome;
}

/** The recorded container plus any other the CLI made for this sandbox (an interrupted `up`). */
async function sandboxContainers(
  sandbox: Sandbox,
  env: SandboxEnvironment,
): Promise<string[]> {
  let labelled: string[] = [];
  try {
    labelled = await containersWithLabel(
      `switchboard.sandbox=${sandbox._id}`,
      env.dockerHost,
    );
  } catch (error) {
    // No engine and no container recorded: there is nothing of ours to find.
    if (sandbox.containerId !== undefined) throw error;
  }
  const ids = new Set(labelled);
  if (sandbox.containerId !== undefined) ids.add(sandbox.containerId);
  return [...ids];
}

/**
 * Marks this repository's settled sandboxes whose container or worktree is
 * gone (removed by hand, pruned, a Docker reset). Returns how many.
 */
export async function sweep(
  env: SandboxEnvironment,
  calls: RunnerCalls,
): Promise<number> {
  let marked = 0;
  for (const sandbox of await calls.listLive()) {
    if (sandbox.repository !== env.repository) continue;
    if (sandbox.status !== "ready" && sandbox.status !== "stopped") continue;
    const worktree = worktreePathOf(sandbox, env);
    let gone: string | null = null;
    if (!existsSync(worktree)) gone = `The worktree ${worktree} is gone.`;
    else if (
      sandbox.containerId !== undefined &&
      (await containerState(sandbox.containerId, env.dockerHost)) === "missing"
    ) {
      gone = `The container ${sandbox.containerId.slice(0, 12)} is gone.`;
    }
    if (gone === null) continue;
    await calls.reportLifecycle(
      sandbox._id,
      "missing",
      `${gone} Retry to provision it again.`,
    );
    marked += 1;
  }
  return marked;
}
