/** Writes the one audit event each data-changing mutation records. */
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Actor, AuditEntity, AuditSummary } from "../validators";
import type { Access } from "./access";

export type AuditInput = {
  orgId: Id<"orgs">;
  action: string;
  entity: AuditEntity;
  entityId: string;
  before?: AuditSummary;
  after?: AuditSummary;
};

export async function recordAudit(
  ctx: MutationCtx,
  actor: Actor,
  event: AuditInput,
): Promise<void> {
  await ctx.db.insert("auditEvents", { ...event, actor, at: Date.now() });
}

/** The audit actor for a call made through the custom-function layer. */
export function actorOf(access: Access): Actor {
  return access.principal.id;
}

/**
 * Keeps only the fields that changed, so audit rows stay small and say what
 * happened rather than copying whole documents.
 */
export function diffSummaries(
  before: AuditSummary,
  after: AuditSummary,
): { before: AuditSummary; after: AuditSummary } {
  const changedBefore: AuditSummary = {};
  const changedAfter: AuditSummary = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[key] ?? null;
    const now = after[key] ?? null;
    if (was !== now) {
      changedBefore[key] = was;
      changedAfter[key] = now;
    }
  }
  return { before: changedBefore, after: changedAfter };
}
