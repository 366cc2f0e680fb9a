/**
 * Approvals: a durable request for a person's decision, bound to a project
 * and optionally a task, with a policy saying who may decide, by when, and
 * what happens if nobody does.
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { ApprovalStatus, OnExpiry, Role } from "../validators";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { requireRange, requireText } from "./checks";
import { fail } from "./errors";
import { APPROVAL, LIMITS } from "./limits";
import { roleAtLeast } from "./permissions";
import { WORKFLOW_STEP_APPROVAL } from "./workflowRunDispatch";

export type ApprovalRequest = {
  taskId?: Id<"tasks">;
  kind: string;
  summary: string;
  details?: string;
  approverRole?: Role;
  ttlMs?: number;
  onExpiry?: OnExpiry;
};

export async function requestApproval(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  request: ApprovalRequest,
): Promise<Id<"approvals">> {
  if (request.taskId !== undefined) {
    const task = await ctx.db.get("tasks", request.taskId);
    if (task === null || task.projectId !== project._id) {
      fail("INVALID_ARGUMENT", "The task belongs to another project.");
    }
  }
  // Agents ask; people set policy. An agent choosing "approve on expiry"
  // would approve its own request by waiting.
  if (access.principal.kind === "agent" && request.onExpiry === "approve") {
    fail(
      "FORBIDDEN",
      'Only people may request approvals that auto-approve on expiry (onExpiry "approve").',
    );
  }
  const now = Date.now();
  const ttl = requireRange(
    "ttlMs",
    request.ttlMs ?? APPROVAL.defaultTtlMs,
    1_000,
    APPROVAL.maxTtlMs,
  );
  const approvalId = await ctx.db.insert("approvals", {
    projectId: project._id,
    taskId: request.taskId,
    requesterId: access.principal.id,
    kind: requireText("Kind", request.kind, 60),
    summary: requireText("Summary", request.summary, LIMITS.summaryLength),
    details: requireText(
      "Details",
      request.details ?? "",
      LIMITS.detailsLength,
      {
        allowEmpty: true,
      },
    ),
    policy: {
      approverRole: request.approverRole ?? "member",
      expiresAt: now + ttl,
      onExpiry: request.onExpiry ?? "expire",
    },
    status: "pending",
    createdAt: now,
  });
  const expiryJobId = await ctx.scheduler.runAt(
    now + ttl,
    internal.approvals.expire,
    {
      approvalId,
    },
  );
  await ctx.db.patch("approvals", approvalId, { expiryJobId });
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: "approval.request",
    entity: "approval",
    entityId: approvalId,
    after: { status: "pending", kind: request.kind, summary: request.summary },
  });
  return approvalId;
}

export async function resolveApproval(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  role: Role | null,
  approval: Doc<"approvals">,
  decision: "approve" | "reject",
  reason: string | undefined,
): Promise<Doc<"approvals">> {
  if (access.principal.kind !== "user" || role === null) {
    fail("FORBIDDEN", "Only people decide approvals.");
  }
  if (!roleAtLeast(role, approval.policy.approverRole)) {
    fail(
      "FORBIDDEN",
      `This approval needs a ${approval.policy.approverRole} or above; you are ${role}.`,
    );
  }
  if (approval.requesterId === access.principal.id) {
    fail("FORBIDDEN", "You cannot decide your own request.");
  }
  assertPending(approval);
  assertBeforeDeadline(approval);
  if (decision === "reject" && (reason ?? "").trim() === "") {
    fail("INVALID_ARGUMENT", "Say why when rejecting.");
  }
  const status: ApprovalStatus =
    decision === "approve" ? "approved" : "rejected";
  return await settle(ctx, actorOf(access), project, approval, {
    status,
    resolverId: access.principal.id,
    reason:
      reason === undefined
        ? undefined
        : requireText("Reason", reason, LIMITS.summaryLength),
  });
}

export async function cancelApproval(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  approval: Doc<"approvals">,
): Promise<Doc<"approvals">> {
  if (approval.requesterId !== access.principal.id) {
    fail("FORBIDDEN", "Only the requester can cancel an approval.");
  }
  assertPending(approval);
  assertBeforeDeadline(approval);
  return await settle(ctx, actorOf(access), project, approval, {
    status: "cancelled",
    resolverId: access.principal.id,
  });
}

/** Scheduled at the policy deadline; a no-op if someone decided first. */
export async function expireApproval(
  ctx: MutationCtx,
  approval: Doc<"approvals">,
): Promise<void> {
  if (approval.status !== "pending") return;
  const project = await ctx.db.get("projects", approval.projectId);
  if (project === null) return;
  const outcome = EXPIRY_OUTCOME[approval.policy.onExpiry];
  await settle(ctx, "system", project, approval, {
    status: outcome.status,
    resolverId: "system",
    reason: outcome.reason,
  });
}

const EXPIRY_OUTCOME: Record<
  OnExpiry,
  { status: ApprovalStatus; reason: string }
> = {
  expire: { status: "expired", reason: "No decision before the deadline." },
  reject: {
    status: "rejected",
    reason: "Rejected by policy: no decision before the deadline.",
  },
  approve: {
    status: "approved",
    reason: "Approved by policy: no decision before the deadline.",
  },
};

function assertPending(approval: Doc<"approvals">): void {
  if (approval.status !== "pending") {
    fail("ALREADY_RESOLVED", `This approval is already ${approval.status}.`);
  }
}

/**
 * Past the deadline the policy's onExpiry decides, even if its scheduled job
 * has not run yet; nobody may pre-empt it.
 */
function assertBeforeDeadline(approval: Doc<"approvals">): void {
  if (Date.now() >= approval.policy.expiresAt) {
    fail(
      "ALREADY_RESOLVED",
      "This approval has expired; its policy decides the outcome.",
    );
  }
}

async function settle(
  ctx: MutationCtx,
  actor: Doc<"auditEvents">["actor"],
  project: Doc<"projects">,
  approval: Doc<"approvals">,
  outcome: Pick<Doc<"approvals">, "status" | "resolverId" | "reason">,
): Promise<Doc<"approvals">> {
  const resolvedAt = Date.now();
  await ctx.db.patch("approvals", approval._id, { ...outcome, resolvedAt });
  // The expiry job has nothing left to do once a decision exists.
  if (actor !== "system" && approval.expiryJobId !== undefined) {
    await ctx.scheduler.cancel(approval.expiryJobId);
  }
  // A workflow step waits on this decision; its run moves on (workflowRuns.ts).
  if (approval.kind === WORKFLOW_STEP_APPROVAL) {
    await ctx.scheduler.runAfter(0, internal.workflowRuns.approvalDecided, {
      approvalId: approval._id,
    });
  }
  await recordAudit(ctx, actor, {
    orgId: project.orgId,
    action: `approval.${outcome.status}`,
    entity: "approval",
    entityId: approval._id,
    before: { status: approval.status },
    after: { status: outcome.status, reason: outcome.reason ?? null },
  });
  return (await ctx.db.get("approvals", approval._id))!;
}
