/**
 * permissions.test.ts cases for convex/sandboxes.ts: requests and changes by
 * people and agents, the runners' claim and reports, the sandbox token.
 * Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { stagesFrom } from "../../convex/model/sandboxStages";
import {
  badType,
  defineCase,
  insertLeasedTask,
  insertTask,
  semantic,
  type Caller,
  type PublicCase,
} from "./publicFunctionCases";
import { mustRead, type Backend, type World } from "./world";

type SandboxFields = Partial<
  Omit<Doc<"sandboxes">, "_id" | "_creationTime" | "projectId" | "taskId">
>;

const RUNNER = "runner-1";

/** A sandbox for a fresh task of project A, for org A's full-scope agent. */
export async function insertSandbox(
  t: Backend,
  world: World,
  fields: SandboxFields = {},
): Promise<Id<"sandboxes">> {
  const taskId = await insertTask(t, world, {
    assigneeId: world.agent.agentId,
  });
  const now = Date.now();
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("sandboxes", {
        projectId: world.projectA,
        taskId,
        taskKey: "AA-1",
        agentId: world.agent.agentId,
        requestedBy: world.a.member.userId,
        baseBranch: "main",
        branch: "switchboard/AA-1-seed-task",
        branchCreated: false,
        host: "local",
        status: "requested",
        stage: "worktree",
        startStage: "worktree",
        stages: stagesFrom("worktree"),
        logTail: "",
        createdAt: now,
        updatedAt: now,
        ...fields,
      }),
  );
}

/** A sandbox this test's runner is working on. */
const claimed = (status: Doc<"sandboxes">["status"]): SandboxFields => ({
  status,
  repository: "/repo",
  runner: { id: RUNNER, expiresAt: Date.now() + 60_000 },
});

const isAgent = (caller: Caller) => !("userId" in caller);

export const SANDBOX_CASES: readonly PublicCase[] = [
  defineCase(api.sandboxes.request, {
    permission: "sandboxes:request",
    min: "member",
    setup: async (t, world, caller) => ({
      // An agent asks for its own task's sandbox; a person's names the assignee.
      taskId: isAgent(caller)
        ? await insertLeasedTask(t, world, caller)
        : await insertTask(t, world, { assigneeId: world.agent.agentId }),
      baseBranch: "main",
    }),
    invalid: (_world, args) => semantic({ ...args, baseBranch: "no..dots" }),
    check: async (sandboxId, { t, world }) => {
      const sandbox = await mustRead(t, "sandboxes", sandboxId);
      expect(sandbox).toMatchObject({
        status: "requested",
        branch: "switchboard/AA-1-seed-task",
        baseBranch: "main",
        agentId: world.agent.agentId,
      });
    },
  }),
  defineCase(api.sandboxes.get, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => ({
      sandboxId: await insertSandbox(t, world),
    }),
    invalid: (world) => badType({ sandboxId: world.projectA }),
    check: (sandbox, { args }) => {
      expect(sandbox._id).toBe(args.sandboxId);
      expect(sandbox.status).toBe("requested");
    },
  }),
  defineCase(api.sandboxes.forTask, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      const sandboxId = await insertSandbox(t, world);
      const { taskId } = await mustRead(t, "sandboxes", sandboxId);
      return { taskId };
    },
    invalid: (world) => badType({ taskId: world.projectA }),
    check: (sandbox, { args }) => {
      expect(sandbox?.taskId).toBe(args.taskId);
    },
  }),
  defineCase(api.sandboxes.listLive, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertSandbox(t, world, { status: "ready" });
      await insertSandbox(t, world, { status: "cleaned" });
      return { projectId: world.projectA };
    },
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (sandboxes) => {
      expect(sandboxes.map((sandbox) => sandbox.status)).toEqual(["ready"]);
    },
  }),
  defineCase(api.sandboxes.change, {
    permission: "sandboxes:request",
    min: "member",
    setup: async (t, world) => ({
      sandboxId: await insertSandbox(t, world, { status: "ready" }),
      change: "stop" as const,
    }),
    // A ready sandbox is not stopped: it cannot resume.
    invalid: (_world, args) => ({
      args: { ...args, change: "resume" },
      expect: "ILLEGAL_TRANSITION",
    }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      const sandbox = await mustRead(t, "sandboxes", args.sandboxId);
      expect(sandbox.status).toBe("stopping");
    },
  }),
  defineCase(api.sandboxes.claimWork, {
    permission: "sandboxes:run",
    min: "member",
    setup: async (t, world) => {
      await insertSandbox(t, world);
      return {
        projectId: world.projectA,
        runnerId: RUNNER,
        repository: "/repo",
        host: "local",
      };
    },
    invalid: (_world, args) => badType({ ...args, runnerId: 5 }),
    check: (sandbox) => {
      expect(sandbox).toMatchObject({
        status: "provisioning",
        repository: "/repo",
        runner: { id: RUNNER },
      });
    },
  }),
  defineCase(api.sandboxes.reportStage, {
    permission: "sandboxes:run",
    min: "member",
    setup: async (t, world) => ({
      sandboxId: await insertSandbox(t, world, claimed("provisioning")),
      runnerId: RUNNER,
      stage: "worktree" as const,
      state: "done" as const,
      facts: { worktreePath: "/repo.worktrees/AA-1", branchCreated: true },
    }),
    invalid: (_world, args) => badType({ ...args, stage: "compile" }),
    check: (sandbox) => {
      expect(sandbox.stages[0]).toMatchObject({
        stage: "worktree",
        state: "done",
      });
      expect(sandbox).toMatchObject({
        worktreePath: "/repo.worktrees/AA-1",
        branchCreated: true,
        status: "provisioning",
      });
    },
  }),
  defineCase(api.sandboxes.reportLifecycle, {
    permission: "sandboxes:run",
    min: "member",
    setup: async (t, world) => ({
      sandboxId: await insertSandbox(t, world, claimed("stopping")),
      runnerId: RUNNER,
      outcome: "stopped" as const,
    }),
    invalid: (_world, args) => badType({ ...args, outcome: "gone" }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      const sandbox = await mustRead(t, "sandboxes", args.sandboxId);
      expect(sandbox.status).toBe("stopped");
      expect(sandbox.runner).toBeUndefined();
    },
  }),
  defineCase(api.sandboxes.issueToken, {
    permission: "sandboxes:run",
    min: "member",
    setup: async (t, world) => ({
      sandboxId: await insertSandbox(t, world, claimed("provisioning")),
      runnerId: RUNNER,
    }),
    invalid: (world) =>
      badType({ sandboxId: world.projectA, runnerId: RUNNER }),
    check: async ({ token }, { t, world, args }) => {
      expect(token).toMatch(/^sba_/);
      const sandbox = await mustRead(t, "sandboxes", args.sandboxId);
      if (sandbox.tokenId === undefined) throw new Error("No token recorded.");
      const row = await mustRead(t, "agentTokens", sandbox.tokenId);
      expect(row).toMatchObject({
        agentId: world.agent.agentId,
        projectId: world.projectA,
        taskId: sandbox.taskId,
        label: "sandbox AA-1",
      });
      expect(row.tokenHash).not.toContain(token);
    },
  }),
];
