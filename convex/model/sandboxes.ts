/**
 * Sandboxes in the database: requests from people and agents, the runner's
 * claim on pending work, stage reports, lifecycle outcomes, and the cleanup a
 * finished task asks for. The rules themselves (stage order, branch names,
 * which status allows what) are in sandboxStages.ts.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { SandboxStage, SandboxStatus, StageState } from "../validators";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { fail } from "./errors";
import {
  claimOpenTo,
  isEnded,
  nextStage,
  REQUESTABLE,
  RUNNER_WORK,
  sandboxBranch,
  stagesFrom,
} from "./sandboxStages";
import { taskKey } from "./tasks";

/**
 * How long a runner's claim holds without a report; each stage report renews
 * it. Long enough for the slowest stage (a dev container image build).
 */
export const RUNNER_CLAIM_MS = 10 * 60_000;
/** Characters of tool output kept on the sandbox. */
export const LOG_TAIL_CHARS = 4_000;
/** Sandboxes a task keeps a history of (newest first) when listing. */
export const TASK_HISTORY = 20;

export async function latestSandbox(
  ctx: QueryCtx,
  taskId: Id<"tasks">,
): Promise<Doc<"sandboxes"> | null> {
  return await ctx.db
    .query("sandboxes")
    .withIndex("by_taskId", (q) => q.eq("taskId", taskId))
    .order("desc")
    .first();
}

export type SandboxRequest = {
  agentId?: Id<"agents">;
  baseBranch: string;
  repository?: string;
  host?: string;
};

export async function requestSandbox(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  input: SandboxRequest,
): Promise<Id<"sandboxes">> {
  if (task.status === "done" || task.status === "cancelled") {
    fail(
      "ILLEGAL_TRANSITION",
      `Task ${taskKey(project, task)} is ${task.status}; sandboxes are for open tasks.`,
    );
  }
  const existing = await latestSandbox(ctx, task._id);
  if (existing !== null && !isEnded(existing.status)) {
    fail(
      "ALREADY_EXISTS",
      `Task ${existing.taskKey} already has a sandbox (${existing.status}) on ${existing.branch}.`,
    );
  }
  const agentId = await sandboxAgent(ctx, access, project, task, input.agentId);
  const baseBranch = checkRef("Base branch", input.baseBranch);
  const key = taskKey(project, task);
  // A task's branch outlives its sandboxes: a new sandbox continues the work
  // a kept one left behind instead of clashing with it.
  const branch = existing?.branch ?? sandboxBranch(key, task.title);
  const now = Date.now();
  const sandboxId = await ctx.db.insert("sandboxes", {
    projectId: project._id,
    taskId: task._id,
    taskKey: key,
    agentId,
    requestedBy: access.principal.id,
    repository: input.repository ?? existing?.repository,
    baseBranch,
    branch,
    branchCreated: existing?.branchCreated ?? false,
    worktreePath:
      existing?.status === "kept" ? existing.worktreePath : undefined,
    host: input.host ?? "local",
    status: "requested",
    stage: "worktree",
    startStage: "worktree",
    stages: stagesFrom("worktree"),
    logTail: "",
    createdAt: now,
    updatedAt: now,
  });
  // The task shows where its work happens (unless it already names a branch).
  if (task.branch === undefined) {
    await ctx.db.patch("tasks", task._id, { branch, updatedAt: now });
  }
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: "sandbox.request",
    entity: "sandbox",
    entityId: sandboxId,
    after: { taskId: task._id, branch, baseBranch, agentId: agentId ?? null },
  });
  return sandboxId;
}

/** The agent the sandbox is for: the caller if an agent, else the named one or the assignee. */
async function sandboxAgent(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  requested: Id<"agents"> | undefined,
): Promise<Id<"agents">> {
  if (access.principal.kind === "agent") {
    if (requested !== undefined && requested !== access.principal.id) {
      fail("FORBIDDEN", "An agent may only request a sandbox for itself.");
    }
    if (
      task.assigneeId !== access.principal.id &&
      task.lease?.holderId !== access.principal.id
    ) {
      fail(
        "FORBIDDEN",
        "Claim or be assigned the task before requesting its sandbox.",
      );
    }
    return access.principal.id;
  }
  const assignee =
    task.assigneeId !== undefined
      ? ctx.db.normalizeId("agents", task.assigneeId)
      : null;
  const agentId = requested ?? assignee;
  if (agentId === null || agentId === undefined) {
    fail(
      "INVALID_ARGUMENT",
      "Choose the agent that will work in the sandbox (the task has no agent assignee).",
    );
  }
  const agent = await ctx.db.get("agents", agentId);
  if (agent === null || agent.orgId !== project.orgId) {
    fail(
      "INVALID_ARGUMENT",
      "That agent does not belong to this project's org.",
    );
  }
  return agentId;
}

/** Git ref names as `git check-ref-format` would take them, kept simple. */
function checkRef(label: string, value: string): string {
  const ref = value.trim();
  if (
    ref === "" ||
    ref.length > 200 ||
    !/^[A-Za-z0-9._/-]+$/.test(ref) ||
    ref.startsWith("-") ||
    ref.includes("..") ||
    ref.endsWith("/") ||
    ref.endsWith(".lock")
  ) {
    fail("INVALID_ARGUMENT", `${label} "${value}" is not a valid branch name.`);
  }
  return ref;
}

/** A person's or agent's request to retry, stop, resume or clean up. */
export async function requestChange(
  ctx: MutationCtx,
  access: Access,
  sandbox: Doc<"sandboxes">,
  change: keyof typeof REQUESTABLE,
  orgId: Id<"orgs">,
): Promise<void> {
  if (!REQUESTABLE[change].includes(sandbox.status)) {
    fail(
      "ILLEGAL_TRANSITION",
      `A ${sandbox.status} sandbox cannot ${change}; that needs one that is ${REQUESTABLE[change].join(" or ")}.`,
    );
  }
  const now = Date.now();
  const patch: Partial<Doc<"sandboxes">> = {
    updatedAt: now,
    runner: undefined,
  };
  if (change === "retry") {
    // Retrying starts at the stage that failed; what earlier stages made (the
    // worktree and anything committed in it) stays.
    // A missing sandbox starts over; the worktree stage reuses a surviving worktree.
    const from = sandbox.status === "missing" ? "worktree" : sandbox.stage;
    Object.assign(patch, {
      status: "requested",
      startStage: from,
      stage: from,
      stages: stagesFrom(from, sandbox.stages),
      note: undefined,
    });
  } else {
    const status: SandboxStatus =
      change === "stop"
        ? "stopping"
        : change === "resume"
          ? "resuming"
          : "cleaning";
    patch.status = status;
  }
  await ctx.db.patch("sandboxes", sandbox._id, patch);
  await recordAudit(ctx, actorOf(access), {
    orgId,
    action: `sandbox.${change}`,
    entity: "sandbox",
    entityId: sandbox._id,
    before: { status: sandbox.status },
    after: { status: patch.status ?? sandbox.status },
  });
}

/** A finished task's sandboxes are cleaned up (the runner keeps unmerged work). */
export async function cleanUpTaskSandboxes(
  ctx: MutationCtx,
  taskId: Id<"tasks">,
): Promise<void> {
  const sandbox = await latestSandbox(ctx, taskId);
  if (
    sandbox === null ||
    isEnded(sandbox.status) ||
    sandbox.status === "cleaning"
  )
    return;
  await ctx.db.patch("sandboxes", sandbox._id, {
    status: "cleaning",
    runner: undefined,
    updatedAt: Date.now(),
  });
}

/**
 * The next sandbox with work for this runner: one in a RUNNER_WORK status
 * whose previous claim (if any) expired, for this runner's repository.
 */
export async function claimWork(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  runner: { id: string; repository: string; host: string },
  now: number,
): Promise<Doc<"sandboxes"> | null> {
  for (const status of RUNNER_WORK) {
    const candidates = await ctx.db
      .query("sandboxes")
      .withIndex("by_projectId_status", (q) =>
        q.eq("projectId", project._id).eq("status", status),
      )
      .take(20);
    const next = candidates.find(
      (sandbox) =>
        claimOpenTo(sandbox.runner, runner.id, now) &&
        (sandbox.repository === undefined ||
          sandbox.repository === runner.repository),
    );
    if (next === undefined) continue;
    const patch: Partial<Doc<"sandboxes">> = {
      runner: { id: runner.id, expiresAt: now + RUNNER_CLAIM_MS },
      repository: runner.repository,
      updatedAt: now,
    };
    if (status === "requested") {
      Object.assign(patch, {
        status: "provisioning",
        host: runner.host,
        logTail: "",
      });
    }
    await ctx.db.patch("sandboxes", next._id, patch);
    await recordAudit(ctx, actorOf(access), {
      orgId: project.orgId,
      action: "sandbox.claim",
      entity: "sandbox",
      entityId: next._id,
      after: { status: patch.status ?? status, runnerId: runner.id },
    });
    return (await ctx.db.get("sandboxes", next._id))!;
  }
  return null;
}

/** Only the runner holding the claim may report; anyone else lost it. */
export function requireRunner(
  sandbox: Doc<"sandboxes">,
  runnerId: string,
  now: number,
): void {
  if (
    sandbox.runner === undefined ||
    sandbox.runner.id !== runnerId ||
    sandbox.runner.expiresAt <= now
  ) {
    fail(
      "LEASE_LOST",
      "This runner no longer holds the sandbox; another took it over or it was cancelled.",
    );
  }
}

export type StageReport = {
  stage: SandboxStage;
  state: Exclude<StageState, "pending">;
  error?: string;
  logTail?: string;
  facts?: {
    worktreePath?: string;
    containerId?: string;
    remoteUser?: string;
    branchCreated?: boolean;
  };
};

export async function reportStage(
  ctx: MutationCtx,
  access: Access,
  orgId: Id<"orgs">,
  sandbox: Doc<"sandboxes">,
  runnerId: string,
  report: StageReport,
): Promise<Doc<"sandboxes">> {
  const now = Date.now();
  requireRunner(sandbox, runnerId, now);
  if (sandbox.status !== "provisioning" && sandbox.status !== "resuming") {
    fail(
      "ILLEGAL_TRANSITION",
      `A ${sandbox.status} sandbox has no stages running.`,
    );
  }
  const stages = sandbox.stages.map((record) => {
    if (record.stage !== report.stage) return record;
    return report.state === "running"
      ? { stage: record.stage, state: report.state, startedAt: now }
      : { ...record, state: report.state, endedAt: now, error: report.error };
  });
  const patch: Partial<Doc<"sandboxes">> = {
    stages,
    stage: report.stage,
    runner: { id: runnerId, expiresAt: now + RUNNER_CLAIM_MS },
    updatedAt: now,
    ...(report.logTail !== undefined
      ? { logTail: report.logTail.slice(-LOG_TAIL_CHARS) }
      : {}),
    ...(report.facts ?? {}),
  };
  if (report.state === "failed") {
    Object.assign(patch, {
      status: "failed",
      note: report.error ?? `The ${report.stage} stage failed.`,
      runner: undefined,
    });
  } else if (report.state === "done" && nextStage(report.stage) === null) {
    Object.assign(patch, {
      status: "ready",
      note: undefined,
      runner: undefined,
    });
  }
  await ctx.db.patch("sandboxes", sandbox._id, patch);
  await recordAudit(ctx, actorOf(access), {
    orgId,
    action: "sandbox.stage",
    entity: "sandbox",
    entityId: sandbox._id,
    after: {
      stage: report.stage,
      state: report.state,
      status: patch.status ?? sandbox.status,
    },
  });
  return (await ctx.db.get("sandboxes", sandbox._id))!;
}

export type LifecycleOutcome =
  "stopped" | "ready" | "cleaned" | "kept" | "missing";

/** Which pending work may end in which outcome (the sweep may report "missing" on settled ones). */
const OUTCOMES: Readonly<Record<LifecycleOutcome, readonly SandboxStatus[]>> = {
  stopped: ["stopping"],
  ready: ["resuming"],
  cleaned: ["cleaning"],
  kept: ["cleaning"],
  missing: ["ready", "stopped"],
};

export async function reportLifecycle(
  ctx: MutationCtx,
  access: Access,
  orgId: Id<"orgs">,
  sandbox: Doc<"sandboxes">,
  runnerId: string,
  outcome: LifecycleOutcome,
  note: string | undefined,
): Promise<void> {
  const now = Date.now();
  if (!OUTCOMES[outcome].includes(sandbox.status)) {
    fail(
      "ILLEGAL_TRANSITION",
      `A ${sandbox.status} sandbox cannot become ${outcome}.`,
    );
  }
  // The sweep reports on settled sandboxes nobody has claimed.
  if (outcome !== "missing") requireRunner(sandbox, runnerId, now);
  await ctx.db.patch("sandboxes", sandbox._id, {
    status: outcome,
    note,
    runner: undefined,
    updatedAt: now,
    ...(outcome === "cleaned" || outcome === "kept"
      ? { containerId: undefined }
      : {}),
  });
  await recordAudit(ctx, actorOf(access), {
    orgId,
    action: `sandbox.${outcome}`,
    entity: "sandbox",
    entityId: sandbox._id,
    before: { status: sandbox.status },
    after: { status: outcome, note: note ?? null },
  });
  if (
    (outcome === "cleaned" || outcome === "kept") &&
    sandbox.tokenId !== undefined
  ) {
    const token = await ctx.db.get("agentTokens", sandbox.tokenId);
    if (token !== null && token.revokedAt === undefined) {
      await ctx.db.patch("agentTokens", token._id, { revokedAt: now });
    }
  }
}

/** Cron: claims of runners that went away (VS Code closed mid-stage). */
export async function expireRunnerClaims(
  ctx: MutationCtx,
  now: number,
): Promise<number> {
  const expired = await ctx.db
    .query("sandboxes")
    .withIndex("by_runner_expiresAt", (q) =>
      q.gt("runner.expiresAt", 0).lte("runner.expiresAt", now),
    )
    .take(100);
  for (const sandbox of expired) {
    if (sandbox.status === "provisioning") {
      const stages = sandbox.stages.map((record) =>
        record.state === "running"
          ? {
              ...record,
              state: "failed" as const,
              endedAt: now,
              error: "The runner stopped.",
            }
          : record,
      );
      await ctx.db.patch("sandboxes", sandbox._id, {
        status: "failed",
        stages,
        note: `The runner (a VS Code window) stopped during the ${sandbox.stage} stage; retry to continue from there.`,
        runner: undefined,
        updatedAt: now,
      });
    } else {
      // Stop, resume and cleanup are safe to start over: free them for any runner.
      await ctx.db.patch("sandboxes", sandbox._id, {
        runner: undefined,
        updatedAt: now,
      });
    }
  }
  return expired.length;
}
