/**
 * The stored state of a workflow run and the small writes every part of the
 * interpreter shares: loading a run with its steps, the event log, and what
 * a finished attempt does (retry, fail, apply the failure policy).
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { stepsToSkip, type StepState } from "./workflowDag";
import type { ExprContext } from "./workflowExpr";
import {
  retryDelayMs,
  type JsonValue,
  type StepDefinition,
  type WorkflowDefinition,
} from "./workflowSpec";

export type StepRow = Doc<"workflowSteps">;

export type LoadedRun = {
  run: Doc<"workflowRuns">;
  definition: WorkflowDefinition;
  inputs: Record<string, JsonValue>;
  /** By step id. */
  rows: Map<string, StepRow>;
};

/** How a step that waits for a retry says so; also marks the wait as a retry. */
export const RETRY_GATE = "retry";

export async function loadRun(
  ctx: QueryCtx,
  runId: Id<"workflowRuns">,
): Promise<LoadedRun | null> {
  const run = await ctx.db.get("workflowRuns", runId);
  if (run === null) return null;
  const workflow = await ctx.db.get("workflows", run.workflowId);
  if (workflow === null) return null;
  const definition = JSON.parse(workflow.definition) as WorkflowDefinition;
  // One row per step; the definition bounds how many there are.
  const steps = await ctx.db
    .query("workflowSteps")
    .withIndex("by_runId_stepId", (q) => q.eq("runId", runId))
    .take(definition.steps.length);
  return {
    run,
    definition,
    inputs: JSON.parse(run.inputs) as Record<string, JsonValue>,
    rows: new Map(steps.map((row) => [row.stepId, row])),
  };
}

export function statesOf(loaded: LoadedRun): Record<string, StepState> {
  const states: Record<string, StepState> = {};
  for (const [id, row] of loaded.rows) states[id] = row.state;
  return states;
}

export function stepDefinition(
  definition: WorkflowDefinition,
  stepId: string,
): StepDefinition | undefined {
  return definition.steps.find((step) => step.id === stepId);
}

/** What `if` conditions and templates read: inputs and finished steps. */
export function exprContext(loaded: LoadedRun): ExprContext {
  const steps: ExprContext["steps"] = {};
  for (const [id, row] of loaded.rows) {
    steps[id] = {
      status: row.state,
      ...(row.output === undefined
        ? {}
        : { output: JSON.parse(row.output) as JsonValue }),
      error: row.error ?? null,
    };
  }
  return { inputs: loaded.inputs, steps };
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

/** Patches a step row and keeps the in-memory copy in step. */
export async function patchStep(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  patch: Partial<Omit<StepRow, "_id" | "_creationTime">>,
): Promise<StepRow> {
  await ctx.db.patch("workflowSteps", row._id, patch);
  const next = { ...row, ...patch };
  // `undefined` in a patch removes the field, as in the database.
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete (next as Record<string, unknown>)[key];
  }
  loaded.rows.set(row.stepId, next);
  return next;
}

export async function scheduleAdvance(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
  at?: number,
): Promise<void> {
  if (at === undefined) {
    await ctx.scheduler.runAfter(0, internal.workflowRuns.advance, { runId });
  } else {
    await ctx.scheduler.runAt(at, internal.workflowRuns.advance, { runId });
  }
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * An attempt failed. With retries left the step waits out its backoff (and
 * an advance is scheduled for then); otherwise it fails for good and its
 * failure policy applies (fail_run is read by runStatus).
 */
export async function failAttempt(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  error: string,
  options: { final?: boolean } = {},
): Promise<void> {
  const step = stepDefinition(loaded.definition, row.stepId);
  const now = Date.now();
  const runId = loaded.run._id;
  const retriesLeft =
    step !== undefined && !options.final && row.attempt <= step.retries.max;
  if (step !== undefined && retriesLeft) {
    const delay = retryDelayMs(step.retries, row.attempt);
    await patchStep(ctx, loaded, row, {
      state: "waiting",
      error,
      endedAt: now,
      deadlineAt: undefined,
      readyAt: now + delay,
      gate: `${RETRY_GATE} in ${seconds(delay)} (attempt ${row.attempt} of ${step.retries.max + 1} failed)`,
      // An approval step asks again on its retry.
      ...(step.executor === "approval" ? { approvalId: undefined } : {}),
    });
    await logEvent(
      ctx,
      runId,
      "step.retry",
      `${error}; retrying in ${seconds(delay)}`,
      row.stepId,
    );
    await scheduleAdvance(ctx, runId, now + delay);
    return;
  }
  await patchStep(ctx, loaded, row, {
    state: "failed",
    error,
    endedAt: now,
    deadlineAt: undefined,
    gate: undefined,
    readyAt: undefined,
  });
  await logEvent(ctx, runId, "step.failed", error, row.stepId);
  if (step?.onFailure === "skip_dependents") {
    for (const id of stepsToSkip(loaded.definition, row.stepId)) {
      const dependent = loaded.rows.get(id);
      if (dependent === undefined) continue;
      if (dependent.state !== "pending" && dependent.state !== "waiting") {
        continue;
      }
      await patchStep(ctx, loaded, dependent, {
        state: "skipped",
        gate: undefined,
        readyAt: undefined,
        endedAt: now,
      });
      await logEvent(
        ctx,
        runId,
        "step.skipped",
        `${row.stepId} failed (on_failure: skip_dependents)`,
        id,
      );
    }
  }
}

export async function succeedStep(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  output: Record<string, JsonValue> | undefined,
): Promise<void> {
  await patchStep(ctx, loaded, row, {
    state: "succeeded",
    endedAt: Date.now(),
    deadlineAt: undefined,
    error: undefined,
    ...(output === undefined ? {} : { output: JSON.stringify(output) }),
  });
  await logEvent(ctx, loaded.run._id, "step.succeeded", "", row.stepId);
}
