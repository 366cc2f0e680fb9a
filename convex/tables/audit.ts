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
    // Ordered by _creationTime (unique, increasing; `at` is not unique): the
    // change feed agents read "since a cursor" (convex/updates.ts).
    // eslint-disable-next-line @convex-dev/no-duplicate-indexes
    .index("by_orgId", ["orgId"])
    .index("by_orgId_entity_entityId_at", ["orgId", "entity", "entityId", "at"])
    .index("by_orgId_actor_at", ["orgId", "actor", "at"]),
};
