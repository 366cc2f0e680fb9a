/** What agents spend (tokens, money) and the budget envelopes it counts against. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vBudgetScope, vPrincipalId } from "../validators";

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
   * A spending envelope for one org, project or agent. Usage reported after
   * it was set is added to `used*`, so "remaining" is one read, not a sum.
   * Enforcement (stopping dispatch, asking for approval) comes with issue 7.
   */
  budgets: defineTable({
    orgId: v.id("orgs"),
    scope: vBudgetScope,
    /** The org, project or agent id the envelope bounds: one envelope per target. */
    targetId: v.string(),
    limitTokens: v.optional(v.number()),
    limitCostUsd: v.optional(v.number()),
    usedTokens: v.number(),
    usedCostUsd: v.number(),
    updatedBy: v.id("users"),
    updatedAt: v.number(),
  })
    .index("by_targetId", ["targetId"])
    .index("by_orgId_scope", ["orgId", "scope"]),
};
