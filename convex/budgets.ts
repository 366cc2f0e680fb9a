/** Budget envelopes: people set them per org, project or agent; agents see what is left. */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { setBudget } from "./model/budgets";
import { LIMITS } from "./model/limits";
import { budgetView, vBudgetView } from "./model/views";
import { vBudgetScope } from "./validators";

/** Creates or changes the envelope of one target; usage counted so far is kept. */
export const set = tenantMutation({
  permission: "projects:manage",
  args: {
    orgId: v.id("orgs"),
    scope: vBudgetScope,
    projectId: v.optional(v.id("projects")),
    agentId: v.optional(v.id("agents")),
    limitTokens: v.optional(v.number()),
    limitCostUsd: v.optional(v.number()),
  },
  returns: v.id("budgets"),
  handler: async (ctx, { orgId, ...input }) => {
    await ctx.access.org(orgId);
    return await setBudget(ctx, ctx.access, orgId, input);
  },
});

/** An org's envelopes; an agent sees only those that cover it. */
export const list = tenantQuery({
  permission: "projects:read",
  args: { orgId: v.id("orgs") },
  returns: v.array(vBudgetView),
  handler: async (ctx, { orgId }) => {
    await ctx.access.org(orgId);
    const rows = await ctx.db
      .query("budgets")
      .withIndex("by_orgId_scope", (q) => q.eq("orgId", orgId))
      .take(LIMITS.listPage);
    const principal = ctx.access.principal;
    // An agent sees the envelopes that cover it, not other projects' or agents'.
    const visible =
      principal.kind === "user"
        ? rows
        : rows.filter((row) => {
            const covering: string[] = [
              orgId,
              principal.token.projectId,
              principal.id,
            ];
            return covering.includes(row.targetId);
          });
    return visible.map(budgetView);
  },
});
