/** Reading the audit trail: by org, by entity, by actor, within a time window. */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { vAuditEventDoc, vPaginated } from "./returns";
import { vActor, vAuditEntity } from "./validators";

/** Newest first. Filter by one entity or by one actor (not both), and optionally a time window. */
export const list = tenantQuery({
  permission: "audit:read",
  args: {
    orgId: v.id("orgs"),
    entity: v.optional(
      v.object({ entity: vAuditEntity, entityId: v.string() }),
    ),
    actor: v.optional(vActor),
    from: v.optional(v.number()),
    to: v.optional(v.number()),
    paginationOpts: paginationOptsValidator,
  },
  returns: vPaginated(vAuditEventDoc),
  handler: async (ctx, { orgId, entity, actor, from, to, paginationOpts }) => {
    await ctx.access.org(orgId);
    if (entity !== undefined && actor !== undefined) {
      fail("INVALID_ARGUMENT", "Filter by entity or by actor, not both.");
    }
    const start = from ?? 0;
    const end = to ?? Number.MAX_SAFE_INTEGER;
    const page = {
      ...paginationOpts,
      numItems: Math.min(paginationOpts.numItems, LIMITS.listPage),
    };
    const events = ctx.db.query("auditEvents");
    const query =
      entity !== undefined
        ? events.withIndex("by_orgId_entity_entityId_at", (q) =>
            q
              .eq("orgId", orgId)
              .eq("entity", entity.entity)
              .eq("entityId", entity.entityId)
              .gte("at", start)
              .lte("at", end),
          )
        : actor !== undefined
          ? events.withIndex("by_orgId_actor_at", (q) =>
              q
                .eq("orgId", orgId)
                .eq("actor", actor)
                .gte("at", start)
                .lte("at", end),
            )
          : events.withIndex("by_orgId_at", (q) =>
              q.eq("orgId", orgId).gte("at", start).lte("at", end),
            );
    return await query.order("desc").paginate(page);
  },
});

/** A task's own history, for anyone who can read the task. */
export const listForTask = tenantQuery({
  permission: "tasks:read",
  args: { taskId: v.id("tasks"), limit: v.optional(v.number()) },
  returns: v.array(vAuditEventDoc),
  handler: async (ctx, { taskId, limit }) => {
    const { project } = await ctx.access.task(taskId);
    return await ctx.db
      .query("auditEvents")
      .withIndex("by_orgId_entity_entityId_at", (q) =>
        q
          .eq("orgId", project.orgId)
          .eq("entity", "task")
          .eq("entityId", taskId),
      )
      .order("desc")
      .take(Math.max(1, Math.min(limit ?? 50, LIMITS.listPage)));
  },
});
