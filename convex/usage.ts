/** report_usage: tokens and cost an agent spent, counted against its budget envelopes. */
import { v } from "convex/values";
import { tenantMutation } from "./functions";
import { callerProject } from "./model/agentScope";
import { recordUsage } from "./model/budgets";
import { budgetView, vBudgetView } from "./model/views";

export const report = tenantMutation({
  permission: "tasks:write",
  args: {
    /** Agents may leave it out: their token's project. */
    projectId: v.optional(v.id("projects")),
    /** Defaults to the caller's one leased task, if it has exactly one. */
    taskId: v.optional(v.id("tasks")),
    inputTokens: v.number(),
    outputTokens: v.number(),
    costUsd: v.optional(v.number()),
    model: v.optional(v.string()),
  },
  returns: v.object({
    recordId: v.id("usageRecords"),
    taskId: v.optional(v.id("tasks")),
    budgets: v.array(vBudgetView),
  }),
  handler: async (ctx, { projectId, ...report }) => {
    const { project } = await callerProject(ctx.access, projectId);
    // A named task is read through access, like every tenant document.
    if (report.taskId !== undefined) await ctx.access.task(report.taskId);
    const recorded = await recordUsage(ctx, ctx.access, project, report);
    return { ...recorded, budgets: recorded.budgets.map(budgetView) };
  },
});
