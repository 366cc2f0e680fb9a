/** Public org functions. */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { insertOrg } from "./model/orgs";
import { vRole } from "./validators";

/** Orgs the caller belongs to, with their role (agents see their own org). */
export const listMine = tenantQuery({
  permission: "org:read",
  args: {},
  returns: v.array(
    v.object({
      orgId: v.id("orgs"),
      name: v.string(),
      role: v.union(vRole, v.null()),
    }),
  ),
  handler: async (ctx) => {
    const principal = ctx.access.principal;
    if (principal.kind === "agent") {
      const { org } = await ctx.access.org(principal.agent.orgId);
      return [{ orgId: org._id, name: org.name, role: null }];
    }
    const memberships = await ctx.db
      .query("memberships")
      .withIndex("by_userId", (q) => q.eq("userId", principal.id))
      .take(100);
    const orgs = [];
    for (const membership of memberships) {
      const org = await ctx.db.get("orgs", membership.orgId);
      if (org !== null)
        orgs.push({ orgId: org._id, name: org.name, role: membership.role });
    }
    return orgs;
  },
});

/** Any signed-in person may start an org, and owns it. */
export const create = tenantMutation({
  permission: "org:manage",
  args: { name: v.string() },
  returns: v.id("orgs"),
  handler: async (ctx, { name }) => {
    const principal = ctx.access.principal;
    if (principal.kind !== "user")
      fail("FORBIDDEN", "Only people create orgs.");
    return await insertOrg(ctx, principal.id, name);
  },
});
