/** Shared by the public workflow run functions: argument shapes and access. */
import { v, type Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import type { Access } from "./access";
import { fail } from "./errors";
import { EXECUTORS, type WorkflowDefinition } from "./workflowSpec";

/** Run inputs and step outputs: flat JSON values by name. */
export const vFlatRecord = v.record(
  v.string(),
  v.union(v.string(), v.number(), v.boolean(), v.null()),
);

/** Loads a run after checking the caller may act in its project. */
export async function runFor(
  ctx: QueryCtx & { access: Access },
  runId: Id<"workflowRuns">,
): Promise<Doc<"workflowRuns">> {
  const run = await ctx.db.get("workflowRuns", runId);
  if (run === null) fail("NOT_FOUND", "Workflow run not found.");
  await ctx.access.project(run.projectId);
  return run;
}

/** One step of a run's graph, as the Runs panel draws it. */
export const vStepNode = v.object({
  id: v.string(),
  needs: v.array(v.string()),
  executor: v.union(...EXECUTORS.map((executor) => v.literal(executor))),
  /** The agent's name; absent for approval steps. */
  agent: v.optional(v.string()),
  condition: v.optional(v.string()),
  maxRetries: v.number(),
});

export function stepNodes(
  workflow: Doc<"workflows">,
): Infer<typeof vStepNode>[] {
  const definition = JSON.parse(workflow.definition) as WorkflowDefinition;
  return definition.steps.map((step) => ({
    id: step.id,
    needs: step.needs,
    executor: step.executor,
    agent: step.executor === "approval" ? undefined : step.agent,
    condition: step.condition,
    maxRetries: step.retries.max,
  }));
}
