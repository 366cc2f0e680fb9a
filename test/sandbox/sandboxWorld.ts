/**
 * Setup for sandbox tests and the sandbox benchmark: a real local backend
 * (startMcpWorld), an agent and a task for it, a throwaway git repository,
 * and a runner for that repository on this machine's Docker engine with the
 * local image (scripts/build-sandbox-image.sh). Containers made here carry
 * the `switchboard.sandbox` label and are removed by dispose().
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import {
  DevcontainerCli,
  defaultDevcontainerCliPath,
} from "../../extension/sandboxes/devcontainerCli";
import {
  containersWithLabel,
  removeContainer,
} from "../../extension/sandboxes/docker";
import type { RunnerCalls } from "../../extension/sandboxes/pipeline";
import { SandboxRunner } from "../../extension/sandboxes/runner";
import {
  runnerCalls,
  type ConvexCalls,
} from "../../extension/sandboxes/runnerCalls";
import type { SandboxEnvironment } from "../../extension/sandboxes/stages";
import { ROOT } from "../integration/local-backend/backendProcess";
import { makeRepository } from "../support/gitRepo";
import {
  newAgent,
  startOwnerWorld,
  type AgentSecret,
  type OwnerWorld,
} from "../support/ownerWorld";

export type SandboxWorld = {
  world: OwnerWorld;
  agent: AgentSecret;
  /** The runner's repository (branch main, one commit). */
  repository: string;
  env: SandboxEnvironment;
  calls: RunnerCalls;
  runner: SandboxRunner;
  /** What the runner logged, for failure messages. */
  log: string[];
  newTask(title: string): Promise<Id<"tasks">>;
  request(taskId: Id<"tasks">, baseBranch?: string): Promise<Id<"sandboxes">>;
  sandbox(id: Id<"sandboxes">): Promise<Doc<"sandboxes">>;
  dispose(): Promise<void>;
};

/** The owner's HTTP client in the shape the runner takes. */
export function callsOf(client: ConvexHttpClient): ConvexCalls {
  return {
    query: (ref, args) => client.query(ref, args),
    mutation: (ref, args) => client.mutation(ref, args),
    action: (ref, args) => client.action(ref, args),
  };
}

export async function startSandboxWorld(
  overrides: Partial<SandboxEnvironment> = {},
): Promise<SandboxWorld> {
  const world = await startOwnerWorld();
  const dir = await mkdtemp(join(tmpdir(), "switchboard-sandbox-"));
  const agent = await newAgent(world, "sandbox-agent");
  const repository = makeRepository(join(dir, "app"));
  const env: SandboxEnvironment = {
    repository,
    worktreeRoot: join(dir, "app.worktrees"),
    stateDir: join(dir, "state"),
    toolsDir: join(ROOT, "dist"),
    backendUrl: world.backend.url,
    siteUrl: world.backend.siteUrl,
    hostNetwork: true,
    dockerHost: undefined,
    devcontainer: new DevcontainerCli({
      cliPath: defaultDevcontainerCliPath(),
      nodePath: process.execPath,
    }),
    installClaudeCode: false,
    ...overrides,
  };
  const calls = runnerCalls(callsOf(world.owner), {
    projectId: world.projectId,
    runnerId: `test-runner-${process.pid}`,
    repository,
    host: env.dockerHost ?? "local",
  });
  const log: string[] = [];
  const made: Id<"sandboxes">[] = [];
  return {
    world,
    agent,
    repository,
    env,
    calls,
    runner: new SandboxRunner(calls, env, (line) => log.push(line)),
    log,
    async newTask(title) {
      const taskId = await world.owner.mutation(api.tasks.create, {
        projectId: world.projectId,
        title,
      });
      await world.owner.mutation(api.tasks.assign, {
        taskId,
        assigneeId: agent.agentId,
      });
      return taskId;
    },
    async request(taskId, baseBranch = "main") {
      const id = await world.owner.mutation(api.sandboxes.request, {
        taskId,
        baseBranch,
      });
      made.push(id);
      return id;
    },
    sandbox: (sandboxId) => world.owner.query(api.sandboxes.get, { sandboxId }),
    async dispose() {
      for (const id of made) {
        for (const container of await containersWithLabel(
          `switchboard.sandbox=${id}`,
        )) {
          await removeContainer(container);
        }
      }
      await world.backend.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
