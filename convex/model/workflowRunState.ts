/**
 * The stored state of a workflow run as one transaction sees it, and the
 * small writes every part of the interpreter shares. A transaction reads
 * only the step rows and specs it needs, each once (RunTxn caches them), so
 * its cost follows what it touches, not the size of the run.
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { ExprContext } from "./workflowExpr";
import {
  readSpec,
  specReader,
  type SpecReader,
  type StepSpec,
} from "./workflowRunSpecs";
import { WORKFLOW_LIMITS, type JsonValue } from "./workflowSpec";

export type StepRow = Doc<"workflowSteps">;

/** A run in one transaction: its document and what has been read of it. */
export type RunTxn<Ctx extends QueryCtx = MutationCtx> = {
  readonly ctx: Ctx;
  readonly run: Doc<"workflowRuns">;
  /** Step rows read or written so far, by step id (null: no such row). */
  readonly rows: Map<string, StepRow | null>;
  readonly specs: SpecReader;
  inputs?: Record<string, JsonValue>;
};

/** How a step that waits for a retry says so; also marks the wait as a retry. */
export const RETRY_GATE = "retry";

export function runTxn<Ctx extends QueryCtx>(
  ctx: Ctx,
  run: Doc<"workflowRuns">,
): RunTxn<Ctx> {
  return { ctx, run, rows: new Map(), specs: specReader(run.workflowId) };
}

export async function openRun<Ctx extends QueryCtx>(
  ctx: Ctx,
  runId: Id<"workflowRuns">,
): Promise<RunTxn<Ctx> | null> {
  const run = await ctx.db.get("workflowRuns", runId);
  return run === null ? null : runTxn(ctx, run);
}

/** Records rows a query returned, so later reads reuse them. */
export function remember(txn: RunTxn<QueryCtx>, rows: StepRow[]): StepRow[] {
  for (const row of rows) txn.rows.set(row.stepId, row);
  return rows;
}

export async function readRow(
  txn: RunTxn<QueryCtx>,
  stepId: string,
): Promise<StepRow | null> {
  const cached = txn.rows.get(stepId);
  if (cached !== undefined) return cached;
  const row = await txn.ctx.db
    .query("workflowSteps")
    .withIndex("by_runId_stepId", (q) =>
      q.eq("runId", txn.run._id).eq("stepId", stepId),
    )
    .unique();
  txn.rows.set(stepId, row);
  return row;
}

/** Every row of the run (rare: a bare `steps` in a template, an upgrade). */
export async function readAllRows(txn: RunTxn<QueryCtx>): Promise<StepRow[]> {
  const rows = await txn.ctx.db
    .query("workflowSteps")
    .withIndex("by_runId_stepId", (q) => q.eq("runId", txn.run._id))
    .take(WORKFLOW_LIMITS.steps);
  return remember(txn, rows);
}

export async function specOf(
  txn: RunTxn<QueryCtx>,
  stepId: string,
): Promise<StepSpec | null> {
  return await readSpec(txn.ctx, txn.specs, stepId);
}

function inputsOf(txn: RunTxn<QueryCtx>): Record<string, JsonValue> {
  txn.inputs ??= JSON.parse(txn.run.inputs) as Record<string, JsonValue>;
  return txn.inputs;
}

/**
 * What a step's `if` and templates read: the run's inputs and the steps
 * they name (a step read only by others' templates is never loaded here).
 */
export async function stepContext(
  txn: RunTxn<QueryCtx>,
  spec: StepSpec,
): Promise<ExprContext> {
  const steps: ExprContext["steps"] = {};
  const rows =
    spec.reads === "all"
      ? await readAllRows(txn)
      : await Promise.all(spec.reads.map((id) => readRow(txn, id)));
  for (const row of rows) {
    if (row === null) continue;
    steps[row.stepId] = {
      status: row.state,
      ...(row.output === undefined
        ? {}
        : { output: JSON.parse(row.output) as JsonValue }),
      error: row.error ?? null,
    };
  }
  return { inputs: inputsOf(txn), steps };
}

export async function logEvent(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
  kind: string,
  detail: string,
  stepId?: string,
): Promise<void> {
  await ctx.db.insert("workflowEvents", {
    runId,
    at: Date.now(),
    kind,
    detail,
    ...(stepId === undefined ? {} : { stepId }),
  });
}

export type StepPatch = Partial<Omit<StepRow, "_id" | "_creationTime">>;

/** Patches a step row and keeps the transaction's copy in step. */
export async function patchStep(
  txn: RunTxn,
  row: StepRow,
  patch: StepPatch,
): Promise<StepRow> {
  await txn.ctx.db.patch("workflowSteps", row._id, patch);
  const next = { ...row, ...patch };
  // `undefined` in a patch removes the field, as in the database.
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete (next as Record<string, unknown>)[key];
  }
  txn.rows.set(row.stepId, next);
  return next;
}

/** An advance at a given time (a retry's backoff ending). */
export async function scheduleAdvanceAt(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
  at: number,
): Promise<void> {
  await ctx.scheduler.runAt(at, internal.workflowRuns.advance, { runId });
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
