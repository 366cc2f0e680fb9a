/** What agents spend (tokens, money) and the budget envelopes it counts against. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vBudgetPeriod, vBudgetScope, vPrincipalId } from "../validators";

export const usageTables = {
  /** One row per report_usage call: who spent what, on which task. */
  usageRecords: defineTable({
    orgId: v.id("orgs"),
    projectId: v.id("projects"),
    taskId: v.optional(v.id("tasks")),
    principalId: vPrincipalId,
    inputTokens: v.number(),
    outputTokens: v.number(),
    costUsd: v.number(),
    model: v.optional(v.string()),
    at: v.number(),
  })
    .index("by_taskId_at", ["taskId", "at"])
    .index("by_projectId_at", ["projectId", "at"])
    .index("by_principalId_at", ["principalId", "at"]),

  /**
   * A spending envelope for one org, project, agent or workflow run. Usage
   * reported after it was set is added to `used*`, so "remaining" is one
   * read, not a sum. Dispatch is gated on it (model/budgetGate.ts).
   */
  budgets: defineTable({
    orgId: v.id("orgs"),
    scope: vBudgetScope,
    /**
     * The org, project, agent or run id the envelope bounds: one envelope per
     * target within an org. Run ids are plain strings until the workflow runs
     * table exists (then scope "run" targets a v.id("workflowRuns")).
     */
    targetId: v.string(),
    limitTokens: v.optional(v.number()),
    limitCostUsd: v.optional(v.number()),
    usedTokens: v.number(),
    usedCostUsd: v.number(),
    /** Absent on envelopes created before periods existed: they behave as "monthly". */
    period: v.optional(vBudgetPeriod),
    /** Start (ms, UTC month start) of the period `used*` counts; absent as above. */
    periodStart: v.optional(v.number()),
    /** When usage first reached 80% of a limit in this period (people were told). */
    warnedAt: v.optional(v.number()),
    /** When usage first reached 100% of a limit in this period (raise requested). */
    exhaustedAt: v.optional(v.number()),
    /** The "budget_raise" approval requested when the envelope ran out. */
    raiseApprovalId: v.optional(v.id("approvals")),
    updatedBy: v.id("users"),
    updatedAt: v.number(),
  })
    .index("by_orgId_targetId", ["orgId", "targetId"])
    .index("by_orgId_scope", ["orgId", "scope"])
    // The monthly reset finds envelopes whose period began before this month.
    .index("by_period_periodStart", ["period", "periodStart"]),
};
