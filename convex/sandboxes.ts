/**
 * Sandboxes, public side. People and agents request one and ask to retry,
 * stop, resume or clean it up; runners (a person's VS Code window, where the
 * repository and Docker are) claim that work and report every stage here, so
 * the board and task detail show progress live. Rules: model/sandboxStages.ts.
 */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import {
  internalTenantMutation,
  signedInAction,
  tenantMutation,
  tenantQuery,
} from "./functions";
import { internalMutation } from "./_generated/server";
import { insertAgentToken } from "./model/agents";
import { fail } from "./model/errors";
import {
  claimWork as claimRunnerWork,
  expireRunnerClaims,
  latestSandbox,
  reportLifecycle as applyLifecycle,
  reportStage as applyStage,
  requestChange,
  requestSandbox,
  requireRunner,
} from "./model/sandboxes";
import { isEnded } from "./model/sandboxStages";
import { hashSecret, newSecret } from "./model/secrets";
import { vSandboxDoc } from "./returns";
import { vSandboxStage, vSandboxStatus } from "./validators";

const vRunner = {
  sandboxId: v.id("sandboxes"),
  /** Identifies one runner (VS Code window) across its reports. */
  runnerId: v.string(),
};

export const request = tenantMutation({
  permission: "sandboxes:request",
  args: {
    taskId: v.id("tasks"),
    baseBranch: v.string(),
    agentId: v.optional(v.id("agents")),
    /** Absolute path of the repository on the runner's machine; else the first runner's. */
    repository: v.optional(v.string()),
  },
  returns: v.id("sandboxes"),
  handler: async (ctx, { taskId, ...input }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await requestSandbox(ctx, ctx.access, project, task, input);
  },
});

export const get = tenantQuery({
  permission: "tasks:read",
  args: { sandboxId: v.id("sandboxes") },
  returns: vSandboxDoc,
  handler: async (ctx, { sandboxId }) => {
    const sandbox = await ctx.db.get("sandboxes", sandboxId);
    if (sandbox === null) fail("NOT_FOUND", "Sandbox not found.");
    await ctx.access.project(sandbox.projectId);
    return sandbox;
  },
});

/** The task's current (newest) sandbox, ended or not. */
export const forTask = tenantQuery({
  permission: "tasks:read",
  args: { taskId: v.id("tasks") },
  returns: v.union(vSandboxDoc, v.null()),
  handler: async (ctx, { taskId }) => {
    await ctx.access.task(taskId);
    return await latestSandbox(ctx, taskId);
  },
});

const LIVE_STATUSES = vSandboxStatus.members
  .map((member) => member.value)
  .filter((status) => !isEnded(status));

/** Sandboxes of the project that hold a container or wait for work (for badges and the sweep). */
export const listLive = tenantQuery({
  permission: "tasks:read",
  args: { projectId: v.id("projects") },
  returns: v.array(vSandboxDoc),
  handler: async (ctx, { projectId }) => {
    await ctx.access.project(projectId);
    const lists = await Promise.all(
      LIVE_STATUSES.map((status) =>
        ctx.db
          .query("sandboxes")
          .withIndex("by_projectId_status", (q) =>
            q.eq("projectId", projectId).eq("status", status),
          )
          .take(100),
      ),
    );
    return lists.flat();
  },
});

export const change = tenantMutation({
  permission: "sandboxes:request",
  args: {
    sandboxId: v.id("sandboxes"),
    change: v.union(
      v.literal("retry"),
      v.literal("stop"),
      v.literal("resume"),
      v.literal("cleanup"),
    ),
  },
  returns: v.null(),
  handler: async (ctx, { sandboxId, change }) => {
    const sandbox = await ctx.db.get("sandboxes", sandboxId);
    if (sandbox === null) fail("NOT_FOUND", "Sandbox not found.");
    const { project } = await ctx.access.task(sandbox.taskId);
    const principal = ctx.access.principal;
    if (principal.kind === "agent" && sandbox.agentId !== principal.id) {
      fail("FORBIDDEN", "An agent may only change its own sandbox.");
    }
    await requestChange(ctx, ctx.access, sandbox, change, project.orgId);
    return null;
  },
});

// ---------------------------------------------------------------------------
// Runners
// ---------------------------------------------------------------------------

export const claimWork = tenantMutation({
  permission: "sandboxes:run",
  args: {
    projectId: v.id("projects"),
    runnerId: v.string(),
    repository: v.string(),
    host: v.string(),
  },
  returns: v.union(vSandboxDoc, v.null()),
  handler: async (ctx, { projectId, runnerId, repository, host }) => {
    const { project } = await ctx.access.project(projectId);
    return await claimRunnerWork(
      ctx,
      ctx.access,
      project,
      { id: runnerId, repository, host },
      Date.now(),
    );
  },
});

export const reportStage = tenantMutation({
  permission: "sandboxes:run",
  args: {
    ...vRunner,
    stage: vSandboxStage,
    state: v.union(
      v.literal("running"),
      v.literal("done"),
      v.literal("failed"),
    ),
    error: v.optional(v.string()),
    logTail: v.optional(v.string()),
    facts: v.optional(
      v.object({
        worktreePath: v.optional(v.string()),
        containerId: v.optional(v.string()),
        remoteUser: v.optional(v.string()),
        branchCreated: v.optional(v.boolean()),
      }),
    ),
  },
  returns: vSandboxDoc,
  handler: async (ctx, { sandboxId, runnerId, ...report }) => {
    const sandbox = await ctx.db.get("sandboxes", sandboxId);
    if (sandbox === null) fail("NOT_FOUND", "Sandbox not found.");
    const { project } = await ctx.access.task(sandbox.taskId);
    return await applyStage(
      ctx,
      ctx.access,
      project.orgId,
      sandbox,
      runnerId,
      report,
    );
  },
});

export const reportLifecycle = tenantMutation({
  permission: "sandboxes:run",
  args: {
    ...vRunner,
    outcome: v.union(
      v.literal("stopped"),
      v.literal("ready"),
      v.literal("cleaned"),
      v.literal("kept"),
      v.literal("missing"),
    ),
    note: v.optional(v.string()),
  },
  returns: v.null(),
  handler: async (ctx, { sandboxId, runnerId, outcome, note }) => {
    const sandbox = await ctx.db.get("sandboxes", sandboxId);
    if (sandbox === null) fail("NOT_FOUND", "Sandbox not found.");
    const { project } = await ctx.access.task(sandbox.taskId);
    await applyLifecycle(
      ctx,
      ctx.access,
      project.orgId,
      sandbox,
      runnerId,
      outcome,
      note,
    );
    return null;
  },
});

/**
 * Mints the sandbox's own agent token (changes limited to its task) and
 * returns the secret once; an earlier sandbox token is revoked.
 */
export const issueToken = signedInAction({
  args: vRunner,
  returns: v.object({ token: v.string() }),
  handler: async (ctx, args): Promise<{ token: string }> => {
    const token = newSecret("agent");
    await ctx.runMutation(internal.sandboxes.insertToken, {
      ...args,
      tokenHash: await hashSecret(token),
    });
    return { token };
  },
});

export const insertToken = internalTenantMutation({
  permission: "sandboxes:run",
  args: { ...vRunner, tokenHash: v.string() },
  returns: v.id("agentTokens"),
  handler: async (ctx, { sandboxId, runnerId, tokenHash }) => {
    const sandbox = await ctx.db.get("sandboxes", sandboxId);
    if (sandbox === null) fail("NOT_FOUND", "Sandbox not found.");
    const { project, task } = await ctx.access.task(sandbox.taskId);
    requireRunner(sandbox, runnerId, Date.now());
    if (sandbox.agentId === undefined) {
      fail("INVALID_ARGUMENT", "The sandbox has no agent to mint a token for.");
    }
    const agent = await ctx.db.get("agents", sandbox.agentId);
    if (agent === null)
      fail("NOT_FOUND", "The sandbox's agent no longer exists.");
    if (sandbox.tokenId !== undefined) {
      const previous = await ctx.db.get("agentTokens", sandbox.tokenId);
      if (previous !== null && previous.revokedAt === undefined) {
        await ctx.db.patch("agentTokens", previous._id, {
          revokedAt: Date.now(),
        });
      }
    }
    const tokenId: Id<"agentTokens"> = await insertAgentToken(
      ctx,
      ctx.access,
      agent,
      project,
      { label: `sandbox ${sandbox.taskKey}`, tokenHash, taskId: task._id },
    );
    await ctx.db.patch("sandboxes", sandboxId, { tokenId });
    return tokenId;
  },
});

export const expireRunners = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => await expireRunnerClaims(ctx, Date.now()),
});
