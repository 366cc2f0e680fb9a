/** The append-only audit trail: one event per data-changing mutation. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vActor, vAuditEntity, vAuditSummary } from "../validators";

export const auditTables = {
  auditEvents: defineTable({
    orgId: v.id("orgs"),
    actor: vActor,
    /** Dotted verb, e.g. "task.move", "approval.resolve". */
    action: v.string(),
    entity: vAuditEntity,
    entityId: v.string(),
    before: v.optional(vAuditSummary),
    after: v.optional(vAuditSummary),
    at: v.number(),
  })
    .index("by_orgId_at", ["orgId", "at"])
    .index("by_orgId_entity_entityId_at", ["orgId", "entity", "entityId", "at"])
    .index("by_orgId_actor_at", ["orgId", "actor", "at"]),
};
