/**
 * Each run's advance bookkeeping (the workflowAdvances row): coalescing and
 * what the advance needs about the definition as a whole.
 *
 * Coalescing: every completion used to schedule a full advance, so twenty
 * completions arriving together meant twenty advances. Now a completion
 * schedules one only when none is scheduled yet (`scheduledAt`); an advance
 * clears the mark as it begins, so whatever happens after it begins asks for
 * the next one. The mark and the scheduled job commit together, so a
 * restart keeps both. A mark older than ADVANCE_STALE_MS is not trusted (its
 * advance may have failed): the next request schedules again.
 *
 * Runs started before this bookkeeping existed have no row: their first
 * advance writes it, with the step specs, positions and need counts their
 * rows lack (`upgradeRun`), in one pass over the run.
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { countOpenNeeds } from "./workflowRunFinish";
import {
  ensureStepSpecs,
  parseDefinition,
  type StepSpec,
} from "./workflowRunSpecs";
import {
  patchStep,
  readAllRows,
  specOf,
  type RunTxn,
} from "./workflowRunState";
import type { WorkflowDefinition } from "./workflowSpec";

export type AdvanceBook = Doc<"workflowAdvances">;

export const ADVANCE_STALE_MS = 60_000;

async function bookOf(
  ctx: QueryCtx,
  runId: Id<"workflowRuns">,
): Promise<AdvanceBook | null> {
  return await ctx.db
    .query("workflowAdvances")
    .withIndex("by_runId", (q) => q.eq("runId", runId))
    .unique();
}

/** The bookkeeping row of a new run, whose first advance is scheduled. */
export async function createBook(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
  definition: WorkflowDefinition,
  scheduledAt?: number,
): Promise<AdvanceBook> {
  const fields = {
    runId,
    ...(definition.concurrency === undefined
      ? {}
      : { concurrency: definition.concurrency }),
    approvalSteps: definition.steps.filter(
      (step) => step.executor === "approval",
    ).length,
    ...(scheduledAt === undefined ? {} : { scheduledAt }),
  };
  const id = await ctx.db.insert("workflowAdvances", fields);
  return (await ctx.db.get("workflowAdvances", id))!;
}

/** An advance of the run soon, unless one is already scheduled. */
export async function requestAdvance(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
): Promise<void> {
  const book = await bookOf(ctx, runId);
  const now = Date.now();
  const scheduledAt = book?.scheduledAt;
  if (scheduledAt !== undefined && now - scheduledAt < ADVANCE_STALE_MS) {
    return;
  }
  await ctx.scheduler.runAfter(0, internal.workflowRuns.advance, { runId });
  // An older run without bookkeeping gets it from this advance.
  if (book !== null) {
    await ctx.db.patch("workflowAdvances", book._id, { scheduledAt: now });
  }
}

/**
 * The start of an advance: clears the scheduled mark, and for a running run
 * returns its bookkeeping (writing it first for an older run). Null when
 * the run is not running (or its workflow is gone: nothing can move).
 */
export async function beginAdvance(txn: RunTxn): Promise<AdvanceBook | null> {
  const book = await bookOf(txn.ctx, txn.run._id);
  if (book?.scheduledAt !== undefined) {
    await txn.ctx.db.patch("workflowAdvances", book._id, {
      scheduledAt: undefined,
    });
  }
  if (txn.run.status !== "running") return null;
  return book ?? (await upgradeRun(txn));
}

/** Adds what an older run's rows lack and writes its bookkeeping. */
async function upgradeRun(txn: RunTxn): Promise<AdvanceBook | null> {
  const workflow = await txn.ctx.db.get("workflows", txn.run.workflowId);
  if (workflow === null) return null;
  const definition = parseDefinition(workflow);
  const specs = await ensureStepSpecs(txn.ctx, workflow, definition);
  preload(txn, specs);
  for (const row of await readAllRows(txn)) {
    const order = (await specOf(txn, row.stepId))?.order;
    const openNeeds =
      row.state === "pending" ? await countOpenNeeds(txn, row.stepId) : 0;
    if (row.order !== order || row.openNeeds !== openNeeds) {
      await patchStep(txn, row, { order, openNeeds });
    }
  }
  return await createBook(txn.ctx, txn.run._id, definition);
}

/** Specs built in this transaction need not be read back. */
export function preload(txn: RunTxn, specs: Map<string, StepSpec>): void {
  for (const [stepId, spec] of specs) txn.specs.byId.set(stepId, spec);
}
