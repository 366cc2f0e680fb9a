/** Creating, editing and moving tasks. Claims and leases live in model/leases.ts. */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type {
  AuditSummary,
  Priority,
  PrincipalId,
  TaskStatus,
} from "../validators";
import type { Access } from "./access";
import { actorOf, diffSummaries, recordAudit } from "./audit";
import { requireLabels, requireText } from "./checks";
import {
  assertNoCycle,
  countOpen,
  loadBlockers,
  propagateDone,
  syncDependencyEdges,
} from "./dependencies";
import { fail } from "./errors";
import { LIMITS } from "./limits";
import { cleanUpTaskSandboxes } from "./sandboxes";
import {
  ALLOWED_TRANSITIONS,
  canTransition,
  isActive,
  needsDependenciesDone,
  priorityRank,
} from "./taskStatus";

export function taskKey(project: Doc<"projects">, task: Doc<"tasks">): string {
  return `${project.key}-${task.number}`;
}

export function taskSummary(task: Doc<"tasks">): AuditSummary {
  return {
    title: task.title,
    status: task.status,
    priority: task.priority,
    assigneeId: task.assigneeId ?? null,
    leaseHolderId: task.lease?.holderId ?? null,
    leaseExpiresAt: task.lease?.expiresAt ?? null,
    branch: task.branch ?? null,
    dependsOn: task.dependsOn.join(","),
  };
}

export type NewTask = {
  title: string;
  description?: string;
  status?: "backlog" | "todo";
  priority?: Priority;
  labels?: string[];
  dependsOn?: Id<"tasks">[];
  assigneeId?: PrincipalId;
  /** Makes the new task a subtask of this one (same project). */
  parentId?: Id<"tasks">;
};

/**
 * Who creates a task: a caller (through their Access), or the system acting
 * for someone (a workflow run for its starter), audited as "system".
 */
export type TaskCreator = Access | { system: true; onBehalfOf: PrincipalId };

export async function createTask(
  ctx: MutationCtx,
  creator: TaskCreator,
  project: Doc<"projects">,
  input: NewTask,
): Promise<Id<"tasks">> {
  const bySystem = "system" in creator;
  const blockers = await loadBlockers(
    ctx,
    { projectId: project._id },
    input.dependsOn ?? [],
  );
  if (input.assigneeId !== undefined) {
    await assertAssignable(ctx, project, input.assigneeId);
  }
  if (input.parentId !== undefined) {
    const parent = await ctx.db.get("tasks", input.parentId);
    if (parent === null || parent.projectId !== project._id) {
      fail("INVALID_ARGUMENT", "The parent task belongs to another project.");
    }
  }
  const now = Date.now();
  const priority = input.priority ?? "medium";
  const taskId = await ctx.db.insert("tasks", {
    projectId: project._id,
    number: project.nextTaskNumber,
    title: requireText("Title", input.title, LIMITS.titleLength),
    description: requireText(
      "Description",
      input.description ?? "",
      LIMITS.descriptionLength,
      {
        allowEmpty: true,
      },
    ),
    status: input.status ?? "todo",
    priority,
    priorityRank: priorityRank(priority),
    labels: requireLabels(
      input.labels ?? [],
      LIMITS.labels,
      LIMITS.labelLength,
    ),
    assigneeId: input.assigneeId,
    parentId: input.parentId,
    dependsOn: blockers.map((blocker) => blocker._id),
    openBlockers: countOpen(blockers),
    createdBy: bySystem ? creator.onBehalfOf : creator.principal.id,
    createdAt: now,
    updatedAt: now,
  });
  await syncDependencyEdges(
    ctx,
    taskId,
    [],
    blockers.map((blocker) => blocker._id),
  );
  await ctx.db.patch("projects", project._id, {
    nextTaskNumber: project.nextTaskNumber + 1,
  });
  const task = (await ctx.db.get("tasks", taskId))!;
  await recordAudit(ctx, bySystem ? "system" : actorOf(creator), {
    orgId: project.orgId,
    action: "task.create",
    entity: "task",
    entityId: taskId,
    after: taskSummary(task),
  });
  return taskId;
}

/**
 * Agents may only change tasks nobody else holds a live lease on; people can
 * always take over (the agent then finds its lease gone on its next renewal).
 */
export function assertNotLeasedByOther(
  access: Access,
  task: Doc<"tasks">,
  now: number,
) {
  const lease = task.lease;
  if (
    access.principal.kind === "agent" &&
    lease !== undefined &&
    lease.expiresAt > now &&
    lease.holderId !== access.principal.id
  ) {
    fail("FORBIDDEN", "Another principal holds the lease on this task.");
  }
}

export async function moveTask(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  to: TaskStatus,
): Promise<Doc<"tasks">> {
  const now = Date.now();
  assertNotLeasedByOther(access, task, now);
  if (task.status === to) return task;
  await applyMove(ctx, task, to, now);
  return await auditTaskChange(ctx, access, project, task, "task.move");
}

export type MoveRefusal = {
  code: "ILLEGAL_TRANSITION" | "DEPENDENCIES_OPEN";
  message: string;
};

/**
 * Why the state machine refuses a move, or null. Separate from `applyMove`
 * so callers that must not throw (the GitHub webhook's processing) can
 * record the reason instead.
 */
export function moveRefusal(
  task: Doc<"tasks">,
  to: TaskStatus,
): MoveRefusal | null {
  if (!canTransition(task.status, to)) {
    return {
      code: "ILLEGAL_TRANSITION",
      message: `A task cannot move from ${task.status} to ${to}. From ${task.status} it may move to: ${ALLOWED_TRANSITIONS[task.status].join(", ")}.`,
    };
  }
  if (needsDependenciesDone(to) && task.openBlockers > 0) {
    return {
      code: "DEPENDENCIES_OPEN",
      message: `${task.openBlockers} dependenc${task.openBlockers === 1 ? "y is" : "ies are"} not done yet.`,
    };
  }
  return null;
}

/**
 * The move itself, whoever asks (a person, an agent, the system): the state
 * machine's checks, the lease, dependents' blocker counts and sandbox
 * cleanup. The caller checks its own authority and writes the audit event.
 */
export async function applyMove(
  ctx: MutationCtx,
  task: Doc<"tasks">,
  to: TaskStatus,
  now: number,
): Promise<void> {
  const refusal = moveRefusal(task, to);
  if (refusal !== null) fail(refusal.code, refusal.message);
  // Leaving active work ends any lease on it.
  const lease = isActive(to) ? task.lease : undefined;
  await ctx.db.patch("tasks", task._id, { status: to, lease, updatedAt: now });
  await propagateDone(ctx, task._id, task.status === "done", to === "done");
  if (to === "done" || to === "cancelled") {
    await cleanUpTaskSandboxes(ctx, task._id);
  }
}

export type TaskEdit = {
  title?: string;
  description?: string;
  priority?: Priority;
  labels?: string[];
  branch?: string;
  pullRequestUrl?: string;
};

export async function editTask(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  edit: TaskEdit,
): Promise<Doc<"tasks">> {
  assertNotLeasedByOther(access, task, Date.now());
  const patch: Partial<Doc<"tasks">> = { updatedAt: Date.now() };
  if (edit.title !== undefined)
    patch.title = requireText("Title", edit.title, LIMITS.titleLength);
  if (edit.description !== undefined) {
    patch.description = requireText(
      "Description",
      edit.description,
      LIMITS.descriptionLength,
      {
        allowEmpty: true,
      },
    );
  }
  if (edit.priority !== undefined) {
    patch.priority = edit.priority;
    patch.priorityRank = priorityRank(edit.priority);
  }
  if (edit.labels !== undefined) {
    patch.labels = requireLabels(
      edit.labels,
      LIMITS.labels,
      LIMITS.labelLength,
    );
  }
  if (edit.branch !== undefined)
    patch.branch = requireText("Branch", edit.branch, 250);
  if (edit.pullRequestUrl !== undefined) {
    patch.pullRequestUrl = requireText(
      "Pull request URL",
      edit.pullRequestUrl,
      500,
    );
  }
  await ctx.db.patch("tasks", task._id, patch);
  return await auditTaskChange(ctx, access, project, task, "task.edit");
}

export async function setTaskDependencies(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  dependsOn: Id<"tasks">[],
): Promise<Doc<"tasks">> {
  assertNotLeasedByOther(access, task, Date.now());
  const blockers = await loadBlockers(ctx, task, dependsOn);
  const next = blockers.map((blocker) => blocker._id);
  await assertNoCycle(ctx, task._id, next);
  await syncDependencyEdges(ctx, task._id, task.dependsOn, next);
  await ctx.db.patch("tasks", task._id, {
    dependsOn: next,
    openBlockers: countOpen(blockers),
    updatedAt: Date.now(),
  });
  return await auditTaskChange(ctx, access, project, task, "task.dependencies");
}

export async function assignTask(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  assigneeId: PrincipalId | undefined,
): Promise<Doc<"tasks">> {
  assertNotLeasedByOther(access, task, Date.now());
  if (assigneeId !== undefined)
    await assertAssignable(ctx, project, assigneeId);
  // A lease belongs to whoever works the task; reassigning ends it.
  const lease = task.lease?.holderId === assigneeId ? task.lease : undefined;
  await ctx.db.patch("tasks", task._id, {
    assigneeId,
    lease,
    updatedAt: Date.now(),
  });
  return await auditTaskChange(ctx, access, project, task, "task.assign");
}

/** Assignees must belong to the project's org. */
async function assertAssignable(
  ctx: MutationCtx,
  project: Doc<"projects">,
  principalId: PrincipalId,
): Promise<void> {
  const agentId = ctx.db.normalizeId("agents", principalId);
  if (agentId !== null) {
    const agent = await ctx.db.get("agents", agentId);
    if (agent?.orgId === project.orgId) return;
  } else {
    const userId = ctx.db.normalizeId("users", principalId);
    const membership =
      userId === null
        ? null
        : await ctx.db
            .query("memberships")
            .withIndex("by_orgId_userId", (q) =>
              q.eq("orgId", project.orgId).eq("userId", userId),
            )
            .unique();
    if (membership !== null) return;
  }
  fail(
    "INVALID_ARGUMENT",
    "The assignee is not a member or agent of this org.",
  );
}

/** Re-reads the task after a patch and records the change. */
export async function auditTaskChange(
  ctx: MutationCtx,
  access: Access | "system",
  project: Doc<"projects">,
  before: Doc<"tasks">,
  action: string,
): Promise<Doc<"tasks">> {
  const after = (await ctx.db.get("tasks", before._id))!;
  await recordAudit(ctx, access === "system" ? "system" : actorOf(access), {
    orgId: project.orgId,
    action,
    entity: "task",
    entityId: before._id,
    ...diffSummaries(taskSummary(before), taskSummary(after)),
  });
  return after;
}
