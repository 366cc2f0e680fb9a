/**
 * The query wait_for_updates watches: what changed for the caller after a
 * cursor (model/updates.ts). Without a cursor it answers "now" (no changes,
 * the current cursor), so a client can start watching from there.
 */
import { v } from "convex/values";
import { tenantQuery } from "./functions";
import { callerProject } from "./model/agentScope";
import { changesSince, latestCursor, vChange } from "./model/updates";

export const since = tenantQuery({
  permission: "tasks:read",
  args: {
    projectId: v.optional(v.id("projects")),
    /** From an earlier answer; leave it out to start from now. */
    cursor: v.optional(v.number()),
  },
  returns: v.object({
    changes: v.array(vChange),
    cursor: v.number(),
    /** More changes are waiting: ask again with the new cursor right away. */
    hasMore: v.boolean(),
  }),
  handler: async (ctx, { projectId, cursor }) => {
    const { project } = await callerProject(ctx.access, projectId);
    if (cursor === undefined) {
      return {
        changes: [],
        cursor: await latestCursor(ctx, project.orgId),
        hasMore: false,
      };
    }
    return await changesSince(ctx, project, ctx.access.principal.id, cursor);
  },
});
