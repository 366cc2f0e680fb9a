/**
 * What starting a step hands out: a task for an external agent, an approval
 * for a person. Both are created by the system on behalf of the run (its
 * starter is the task's creator and the approval's requester): createTask's
 * system creator, and a system variant of requestApproval (no Access, audit
 * actor "system").
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { recordAudit } from "./audit";
import { APPROVAL, LIMITS } from "./limits";
import { applyMove, auditTaskChange, createTask, moveRefusal } from "./tasks";
import { ALLOWED_TRANSITIONS } from "./taskStatus";
import type { TaskStatus } from "../validators";

/** The approval kind the workflow interpreter asks and listens for. */
export const WORKFLOW_STEP_APPROVAL = "workflow_step";

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export async function createStepTask(
  ctx: MutationCtx,
  run: Doc<"workflowRuns">,
  input: { stepId: string; agentId: Id<"agents">; prompt: string },
): Promise<Id<"tasks">> {
  const project = await ctx.db.get("projects", run.projectId);
  if (project === null) throw new Error("The run's project is gone.");
  const instructions = `When finished, call complete_step with runId "${run._id}" and stepId "${input.stepId}" (status "succeeded" with an output record, or "failed" with an error).`;
  const description = `${clip(input.prompt, LIMITS.descriptionLength - instructions.length - 2)}\n\n${instructions}`;
  // Assigned to the step's agent (checked at save, agents are never deleted),
  // created on behalf of the run's starter, audited as "system".
  return await createTask(
    ctx,
    { system: true, onBehalfOf: run.startedBy },
    project,
    {
      title: clip(`${run.name}: ${input.stepId}`, LIMITS.titleLength),
      description,
      status: "todo",
      labels: ["workflow"],
      assigneeId: input.agentId,
    },
  );
}

/**
 * The moves from `from` to `to` the task state machine allows, shortest
 * first found (breadth first over ALLOWED_TRANSITIONS), never through a
 * finished status; null when there is none.
 */
export function closingPath(
  from: TaskStatus,
  to: "done" | "cancelled",
): TaskStatus[] | null {
  const previous = new Map<TaskStatus, TaskStatus>();
  const queue: TaskStatus[] = [from];
  for (let head = 0; head < queue.length; head += 1) {
    const status = queue[head] ?? from;
    if (status === to) {
      const path: TaskStatus[] = [];
      for (
        let at: TaskStatus = to;
        at !== from;
        at = previous.get(at) ?? from
      ) {
        path.unshift(at);
      }
      return path;
    }
    if (status === "done" || status === "cancelled") continue;
    for (const next of ALLOWED_TRANSITIONS[status]) {
      if (next === from || previous.has(next)) continue;
      previous.set(next, status);
      queue.push(next);
    }
  }
  return null;
}

/**
 * Closes a step's task (done or cancelled) as the system acting for the
 * run, through the task state machine's own moves: complete_step promises
 * the task closes with the step, claimed or not, so an unclaimed "todo" task
 * goes todo -> in_progress -> done (each move checked by applyMove). A task
 * already done or cancelled is left as it is: finished work is not reopened
 * to be closed another way.
 */
export async function closeStepTask(
  ctx: MutationCtx,
  taskId: Id<"tasks"> | undefined,
  to: "done" | "cancelled",
): Promise<void> {
  if (taskId === undefined) return;
  const task = await ctx.db.get("tasks", taskId);
  if (task === null || task.status === "done" || task.status === "cancelled") {
    return;
  }
  const path = closingPath(task.status, to);
  if (path === null) return;
  const project = await ctx.db.get("projects", task.projectId);
  if (project === null) return;
  // Every move is checked before any is made: no half-closed task.
  const moves = path.map((status, i) => ({
    at: { ...task, status: i === 0 ? task.status : (path[i - 1] ?? status) },
    status,
  }));
  if (moves.some(({ at, status }) => moveRefusal(at, status) !== null)) {
    return;
  }
  const now = Date.now();
  for (const { at, status } of moves) await applyMove(ctx, at, status, now);
  await auditTaskChange(ctx, "system", project, task, "task.move");
}

export async function requestStepApproval(
  ctx: MutationCtx,
  run: Doc<"workflowRuns">,
  input: { summary: string; details: string; ttlMs?: number },
): Promise<Id<"approvals">> {
  const now = Date.now();
  const ttl = Math.min(input.ttlMs ?? APPROVAL.defaultTtlMs, APPROVAL.maxTtlMs);
  const approvalId = await ctx.db.insert("approvals", {
    projectId: run.projectId,
    requesterId: run.startedBy,
    kind: WORKFLOW_STEP_APPROVAL,
    summary: clip(input.summary, LIMITS.summaryLength),
    details: clip(input.details, LIMITS.detailsLength),
    policy: {
      approverRole: "member",
      expiresAt: now + ttl,
      onExpiry: "expire",
    },
    status: "pending",
    createdAt: now,
  });
  const expiryJobId = await ctx.scheduler.runAt(
    now + ttl,
    internal.approvals.expire,
    { approvalId },
  );
  await ctx.db.patch("approvals", approvalId, { expiryJobId });
  await recordAudit(ctx, "system", {
    orgId: run.orgId,
    action: "approval.request",
    entity: "approval",
    entityId: approvalId,
    after: {
      status: "pending",
      kind: WORKFLOW_STEP_APPROVAL,
      summary: input.summary,
    },
  });
  return approvalId;
}

/** Withdraws a pending approval nobody needs any more (the run was cancelled). */
export async function withdrawStepApproval(
  ctx: MutationCtx,
  run: Doc<"workflowRuns">,
  approvalId: Id<"approvals"> | undefined,
): Promise<void> {
  if (approvalId === undefined) return;
  const approval = await ctx.db.get("approvals", approvalId);
  if (approval === null || approval.status !== "pending") return;
  await ctx.db.patch("approvals", approvalId, {
    status: "cancelled",
    resolverId: "system",
    reason: "The workflow run was cancelled.",
    resolvedAt: Date.now(),
  });
  if (approval.expiryJobId !== undefined) {
    await ctx.scheduler.cancel(approval.expiryJobId);
  }
  await recordAudit(ctx, "system", {
    orgId: run.orgId,
    action: "approval.cancelled",
    entity: "approval",
    entityId: approvalId,
    before: { status: "pending" },
    after: { status: "cancelled" },
  });
}
