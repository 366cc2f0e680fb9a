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

/** Closes a step's task (done or cancelled) when the state machine allows it. */
export async function closeStepTask(
  ctx: MutationCtx,
  taskId: Id<"tasks"> | undefined,
  to: "done" | "cancelled",
): Promise<void> {
  if (taskId === undefined) return;
  const task = await ctx.db.get("tasks", taskId);
  if (task === null || moveRefusal(task, to) !== null) return;
  const project = await ctx.db.get("projects", task.projectId);
  if (project === null) return;
  await applyMove(ctx, task, to, Date.now());
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
