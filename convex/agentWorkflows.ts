/**
 * Workflow steps, agents' side (the MCP tool complete_step): an agent
 * reports the result of the step it was given as a task. People may settle
 * a stuck step by hand with the same function.
 */
import { v } from "convex/values";
import { tenantMutation } from "./functions";
import { runFor, vFlatRecord } from "./model/workflowRunAccess";
import { completeStep as applyResult } from "./model/workflowRunOps";

export const completeStep = tenantMutation({
  permission: "workflows:run",
  args: {
    runId: v.id("workflowRuns"),
    stepId: v.string(),
    status: v.union(v.literal("succeeded"), v.literal("failed")),
    /** Flat JSON values later steps read as steps.<id>.output.<key>. */
    output: v.optional(vFlatRecord),
    error: v.optional(v.string()),
  },
  returns: v.null(),
  handler: async (ctx, { runId, stepId, ...result }) => {
    const run = await runFor(ctx, runId);
    await applyResult(ctx, ctx.access, run, stepId, result);
    return null;
  },
});
