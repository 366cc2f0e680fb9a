/**
 * Usage that belongs to a workflow run: a native agent names its run and
 * step; an external agent reports on the task its step created, and the
 * step is found from that task. The run's and the step's totals are what
 * the Runs panel shows as cost; the run id also brings in the run's envelope.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";

export type RunUsageTarget = {
  run: Doc<"workflowRuns">;
  step: Doc<"workflowSteps"> | null;
};

export async function runUsageTarget(
  ctx: MutationCtx,
  projectId: Id<"projects">,
  named: {
    runId?: Id<"workflowRuns">;
    stepId?: string;
    taskId?: Id<"tasks">;
  },
): Promise<RunUsageTarget | null> {
  if (named.runId !== undefined) {
    const run = await ctx.db.get("workflowRuns", named.runId);
    if (run === null || run.projectId !== projectId) return null;
    const { stepId } = named;
    const step =
      stepId === undefined
        ? null
        : await ctx.db
            .query("workflowSteps")
            .withIndex("by_runId_stepId", (q) =>
              q.eq("runId", run._id).eq("stepId", stepId),
            )
            .unique();
    return { run, step };
  }
  if (named.taskId === undefined) return null;
  const { taskId } = named;
  const step = await ctx.db
    .query("workflowSteps")
    .withIndex("by_taskId", (q) => q.eq("taskId", taskId))
    .first();
  if (step === null) return null;
  const run = await ctx.db.get("workflowRuns", step.runId);
  return run === null ? null : { run, step };
}

export async function addRunUsage(
  ctx: MutationCtx,
  { run, step }: RunUsageTarget,
  tokens: number,
  costUsd: number,
): Promise<void> {
  await ctx.db.patch("workflowRuns", run._id, {
    usedTokens: (run.usedTokens ?? 0) + tokens,
    usedCostUsd: (run.usedCostUsd ?? 0) + costUsd,
  });
  if (step === null) return;
  await ctx.db.patch("workflowSteps", step._id, {
    usedTokens: (step.usedTokens ?? 0) + tokens,
    usedCostUsd: (step.usedCostUsd ?? 0) + costUsd,
  });
}
