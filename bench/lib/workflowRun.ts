/**
 * One timed workflow run: save the YAML, start a run, watch it to its end,
 * then check it (every step succeeded, started once, completed once by its
 * own agent, never before its needs) and derive the per-step timings.
 *
 * The owner watches the run through workflowRuns.list, not workflowRuns.get:
 * get returns all 1,000 steps and would be re-run by every step change,
 * adding its own load to what is measured; list only changes when the run
 * document does (at its end). `watchDetail` adds the get subscription, as an
 * open Run panel would, to measure what that costs.
 */
import type { ConvexClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import type { BackendProcess } from "./backendProcess";
import { sleep } from "./stats";
import type { Owner } from "./switchboardSetup";
import { now, type AgentPool, type StepReceipt } from "./workflowAgents";
import type { BenchDag } from "./workflowDag";

/** No step seen or finished for this long: the run is stuck; say why. */
const STALL_MS = 15_000;

export type RunResult = {
  runId: Id<"workflowRuns">;
  steps: number;
  /** From calling start to the owner's subscription showing "succeeded". */
  wallMs: number;
  /** run.endedAt - run.startedAt, the backend's own clock. */
  serverMs: number;
  backendCpuMs: number;
  /** Results of workflowRuns.get pushed to the owner (with watchDetail). */
  detailUpdates: number;
  /** Per step, ms: the step's startedAt -> its agent sees the task. */
  dispatch: number[];
  /** Per step, ms: the agent sees the task -> its complete_step returns. */
  hold: number[];
  /** Per step, ms: claim_task's round trip (0 without claims). */
  claim: number[];
  /** Per step, ms: complete_step's round trip. */
  complete: number[];
  /** Per step, ms: the last of its needs ended (run start for layer 0) -> startedAt. */
  readyToStart: number[];
  /** Per step, ms on the backend's clock: startedAt -> endedAt. */
  running: number[];
};

type RunDoc = Doc<"workflowRuns">;

function progress(message: string): void {
  process.stderr.write(`bench:workflows: ${message}\n`);
}

type Ended = { run: RunDoc; at: number };

/** Records when the owner's subscription first shows the run finished. */
function watchRun(
  ownerWs: ConvexClient,
  projectId: Id<"projects">,
  runId: () => Id<"workflowRuns"> | undefined,
): {
  ended: () => Ended | undefined;
  error: () => Error | undefined;
  stop: () => void;
} {
  let ended: Ended | undefined;
  let error: Error | undefined;
  const stop = ownerWs.onUpdate(
    api.workflowRuns.list,
    { projectId },
    (runs) => {
      const at = now();
      const run = runs.find((r) => r._id === runId());
      if (
        ended === undefined &&
        run !== undefined &&
        run.status !== "running"
      ) {
        ended = { run, at };
      }
    },
    (e) => {
      error = e;
    },
  );
  return { ended: () => ended, error: () => error, stop };
}

async function stallReport(
  owner: Owner,
  runId: Id<"workflowRuns">,
): Promise<string> {
  const { run, steps } = await owner.client.query(api.workflowRuns.get, {
    runId,
  });
  const counts = new Map<string, number>();
  for (const step of steps) {
    const key =
      step.state === "waiting" || step.state === "pending"
        ? `${step.state}${step.gate === undefined ? "" : ` (gate: ${step.gate})`}`
        : step.state;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const lines = [...counts].map(([key, n]) => `  ${n} ${key}`);
  return `run ${run.status}; steps by state:\n${lines.join("\n")}`;
}

export async function runWorkflow(input: {
  backend: BackendProcess;
  owner: Owner;
  ownerWs: ConvexClient;
  pool: AgentPool;
  dag: BenchDag;
  label: string;
  timeoutMs: number;
  /** The owner also subscribes to workflowRuns.get, as an open Run panel does. */
  watchDetail: boolean;
}): Promise<RunResult> {
  const { backend, owner, ownerWs, pool, dag } = input;
  const workflowId = await owner.client.mutation(api.workflows.save, {
    projectId: owner.projectId,
    source: dag.source,
  });
  let runId: Id<"workflowRuns"> | undefined;
  let stopDetail = (): void => {};
  let detailUpdates = 0;
  const watch = watchRun(ownerWs, owner.projectId, () => runId);
  try {
    const cpuAtStart = backend.cpuMs();
    const startedAt = now();
    pool.lastProgressAt = startedAt;
    runId = await owner.client.mutation(api.workflowRuns.start, {
      workflowId,
    });
    const id = runId;
    if (input.watchDetail) {
      // As the Run panel (webview/run/RunPanel.tsx) watches a run.
      stopDetail = ownerWs.onUpdate(
        api.workflowRuns.get,
        { runId: id },
        () => (detailUpdates += 1),
        (error) => pool.errors.push(`workflowRuns.get: ${error.message}`),
      );
    }
    const deadline = startedAt + input.timeoutMs;
    let lastReport = startedAt;
    let outcome: Ended | undefined;
    for (;;) {
      await sleep(50);
      outcome = watch.ended();
      if (outcome !== undefined) break;
      const t = now();
      const failure = watch.error();
      if (failure !== undefined) throw failure;
      if (pool.errors.length > 0) {
        throw new Error(
          `agents failed:\n${pool.errors.slice(0, 10).join("\n")}`,
        );
      }
      if (t - pool.lastProgressAt > STALL_MS || t > deadline) {
        const why = t > deadline ? "timed out" : `stalled for ${STALL_MS} ms`;
        throw new Error(
          `${input.label}: the run ${why} after ${pool.completedFor(id)} of ${dag.stepIds.length} steps; ${await stallReport(owner, id)}`,
        );
      }
      if (t - lastReport > 5_000) {
        lastReport = t;
        progress(
          `${input.label}: ${pool.completedFor(id)}/${dag.stepIds.length} steps after ${((t - startedAt) / 1000).toFixed(0)} s`,
        );
      }
    }
    const backendCpuMs = backend.cpuMs() - cpuAtStart;
    await pool.settled();
    if (outcome.run.status !== "succeeded") {
      throw new Error(
        `${input.label}: the run ended ${outcome.run.status}; ${await stallReport(owner, id)}`,
      );
    }
    const detail = await owner.client.query(api.workflowRuns.get, {
      runId: id,
    });
    const receipts = pool.receipts.filter((r) => r.runId === id);
    const open = pool.todo.flat().filter((t) => t.runId === id);
    if (open.length > 0) {
      throw new Error(
        `${input.label}: ${open.length} step tasks are still todo after the run succeeded (e.g. ${open
          .slice(0, 5)
          .map((t) => t.stepId)
          .join(", ")}): complete_step did not close them`,
      );
    }
    return {
      ...timings(dag, detail.run, detail.steps, receipts),
      runId: id,
      steps: dag.stepIds.length,
      wallMs: outcome.at - startedAt,
      serverMs: (detail.run.endedAt ?? NaN) - detail.run.startedAt,
      backendCpuMs,
      detailUpdates,
    };
  } finally {
    watch.stop();
    stopDetail();
  }
}

/** Checks the finished run (throws on anything wrong) and derives timings. */
function timings(
  dag: BenchDag,
  run: RunDoc,
  rows: readonly Doc<"workflowSteps">[],
  receipts: readonly StepReceipt[],
): Pick<
  RunResult,
  "dispatch" | "hold" | "claim" | "complete" | "readyToStart" | "running"
> {
  const problems: string[] = [];
  const byStep = new Map(rows.map((row) => [row.stepId, row]));
  const receiptOf = new Map<string, StepReceipt>();
  for (const receipt of receipts) {
    if (receiptOf.has(receipt.stepId)) {
      problems.push(`${receipt.stepId} completed twice`);
    }
    receiptOf.set(receipt.stepId, receipt);
  }
  if (rows.length !== dag.stepIds.length) {
    problems.push(`${rows.length} step rows, expected ${dag.stepIds.length}`);
  }
  const result = {
    dispatch: [] as number[],
    hold: [] as number[],
    claim: [] as number[],
    complete: [] as number[],
    readyToStart: [] as number[],
    running: [] as number[],
  };
  for (const id of dag.stepIds) {
    const row = byStep.get(id);
    const receipt = receiptOf.get(id);
    if (row === undefined || receipt === undefined) {
      problems.push(
        `${id}: ${row === undefined ? "no row" : "never completed by its agent"}`,
      );
      continue;
    }
    if (row.state !== "succeeded") problems.push(`${id} is ${row.state}`);
    if (row.attempt !== 1) problems.push(`${id} started ${row.attempt} times`);
    if (receipt.agent !== dag.agentOf.get(id)) {
      problems.push(`${id} completed by agent ${receipt.agent}, not its own`);
    }
    const { startedAt, endedAt } = row;
    if (startedAt === undefined || endedAt === undefined) {
      problems.push(`${id} has no startedAt/endedAt`);
      continue;
    }
    let ready = run.startedAt;
    for (const need of dag.needs.get(id) ?? []) {
      const ended = byStep.get(need)?.endedAt ?? Number.POSITIVE_INFINITY;
      if (ended > startedAt)
        problems.push(`${id} started before ${need} ended`);
      ready = Math.max(ready, ended);
    }
    result.dispatch.push(receipt.seenAt - startedAt);
    result.hold.push(receipt.returnedAt - receipt.seenAt);
    result.claim.push(receipt.claimedAt - receipt.seenAt);
    result.complete.push(receipt.returnedAt - receipt.claimedAt);
    result.readyToStart.push(startedAt - ready);
    result.running.push(endedAt - startedAt);
  }
  if (receipts.length !== dag.stepIds.length) {
    problems.push(
      `${receipts.length} completions, expected ${dag.stepIds.length}`,
    );
  }
  if (problems.length > 0) {
    throw new Error(
      `the run is not what was asked (${problems.length} problems):\n${problems.slice(0, 20).join("\n")}`,
    );
  }
  return result;
}
