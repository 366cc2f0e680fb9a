/** Public project functions. */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { actorOf } from "./model/audit";
import { LIMITS } from "./model/limits";
import { insertProject } from "./model/orgs";
import { vProjectDoc } from "./returns";

export const create = tenantMutation({
  permission: "projects:manage",
  args: { orgId: v.id("orgs"), name: v.string(), key: v.string() },
  returns: v.id("projects"),
  handler: async (ctx, { orgId, name, key }) => {
    await ctx.access.org(orgId);
    return await insertProject(ctx, actorOf(ctx.access), orgId, { name, key });
  },
});

export const get = tenantQuery({
  permission: "projects:read",
  args: { projectId: v.id("projects") },
  returns: vProjectDoc,
  handler: async (ctx, { projectId }) =>
    (await ctx.access.project(projectId)).project,
});

/** An agent sees only the project its token is limited to. */
export const list = tenantQuery({
  permission: "projects:read",
  args: { orgId: v.id("orgs") },
  returns: v.array(vProjectDoc),
  handler: async (ctx, { orgId }) => {
    const principal = ctx.access.principal;
    if (principal.kind === "agent") {
      await ctx.access.org(orgId);
      return [(await ctx.access.project(principal.token.projectId)).project];
    }
    await ctx.access.org(orgId);
    return await ctx.db
      .query("projects")
      .withIndex("by_orgId_key", (q) => q.eq("orgId", orgId))
      .take(LIMITS.listPage);
  },
});
