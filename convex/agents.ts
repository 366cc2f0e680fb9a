/** Public agent functions. */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { insertAgent } from "./model/agents";
import { vAgentDoc } from "./returns";
import { vAgentKind, vTrustLevel } from "./validators";

export const create = tenantMutation({
  permission: "agents:manage",
  args: {
    orgId: v.id("orgs"),
    name: v.string(),
    instructions: v.optional(v.string()),
    kind: v.optional(vAgentKind),
    trustLevel: v.optional(vTrustLevel),
    defaultScopes: v.optional(v.array(v.string())),
  },
  returns: v.id("agents"),
  handler: async (ctx, { orgId, ...input }) => {
    await ctx.access.org(orgId);
    return await insertAgent(ctx, ctx.access, orgId, input);
  },
});

export const get = tenantQuery({
  permission: "agents:read",
  args: { agentId: v.id("agents") },
  returns: vAgentDoc,
  handler: async (ctx, { agentId }) => {
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    await ctx.access.org(agent.orgId);
    return agent;
  },
});

export const list = tenantQuery({
  permission: "agents:read",
  args: { orgId: v.id("orgs") },
  returns: v.array(vAgentDoc),
  handler: async (ctx, { orgId }) => {
    await ctx.access.org(orgId);
    return await ctx.db
      .query("agents")
      .withIndex("by_orgId_name", (q) => q.eq("orgId", orgId))
      .take(LIMITS.listPage);
  },
});
