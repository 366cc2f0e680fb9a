/**
 * Budget envelopes: people set them per org, project, agent or workflow run;
 * agents see what is left; a cron starts each monthly envelope's new period.
 */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import { internalMutation } from "./_generated/server";
import { tenantMutation, tenantQuery } from "./functions";
import { setBudget } from "./model/budgets";
import { RESET_BATCH, resetStalePeriods } from "./model/budgetPeriods";
import { LIMITS } from "./model/limits";
import { budgetView, vBudgetView } from "./model/views";
import { vBudgetPeriod, vBudgetScope } from "./validators";

/**
 * Creates or changes the envelope of one target; usage counted so far is
 * kept. A limit raised above what was used reopens an exhausted envelope.
 */
export const set = tenantMutation({
  permission: "projects:manage",
  args: {
    orgId: v.id("orgs"),
    scope: vBudgetScope,
    projectId: v.optional(v.id("projects")),
    agentId: v.optional(v.id("agents")),
    /** For scope "run". */
    runId: v.optional(v.id("workflowRuns")),
    limitTokens: v.optional(v.number()),
    limitCostUsd: v.optional(v.number()),
    /** "monthly" (the default for new envelopes) resets at each UTC month start. */
    period: v.optional(vBudgetPeriod),
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

/**
 * The cron's hourly pass: starts the new period of monthly envelopes whose
 * period began before this month. Hourly rather than crons.monthly so a
 * backend that was down at midnight catches up; a full batch continues in a
 * follow-up transaction instead of growing this one.
 */
export const resetPeriods = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => {
    const touched = await resetStalePeriods(ctx, Date.now());
    if (touched === RESET_BATCH) {
      await ctx.scheduler.runAfter(0, internal.budgets.resetPeriods, {});
    }
    return touched;
  },
});
