/** Shared by the public workflow run functions: argument shapes and access. */
import { v } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import type { Access } from "./access";
import { fail } from "./errors";

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
