/**
 * What a step's attempt ending does: succeed, retry after a backoff, or fail
 * for good under its failure policy; and what a finished step does to the
 * steps that need it. Readiness is kept incrementally (workflowDag.ts states
 * the rules): each pending row counts its unsatisfied needs (`openNeeds`),
 * and a need that becomes satisfied decrements its dependents' counts, so a
 * finish costs O(dependents) and the advance finds ready steps by index.
 */
import type { QueryCtx } from "../_generated/server";
import type { StepState } from "./workflowDag";
import {
  logEvent,
  patchStep,
  readRow,
  RETRY_GATE,
  scheduleAdvanceAt,
  seconds,
  specOf,
  type RunTxn,
  type StepRow,
} from "./workflowRunState";
import {
  retryDelayMs,
  type JsonValue,
  type StepDefinition,
} from "./workflowSpec";

/** Whether a need in this state lets its dependents start (workflowDag.ts). */
export function satisfies(state: StepState, step: StepDefinition): boolean {
  if (state === "succeeded" || state === "skipped") return true;
  return state === "failed" && step.onFailure === "continue";
}

/**
 * A step's unsatisfied needs, counted from their rows: for rows that become
 * pending again (rerun, a retry coming due) and rows of older runs.
 */
export async function countOpenNeeds(
  txn: RunTxn<QueryCtx>,
  stepId: string,
): Promise<number> {
  const step = (await specOf(txn, stepId))?.step;
  let open = 0;
  for (const id of new Set(step?.needs ?? [])) {
    if (id === stepId) continue;
    const need = await readRow(txn, id);
    const needStep = (await specOf(txn, id))?.step;
    if (need === null || needStep === undefined) continue;
    if (!satisfies(need.state, needStep)) open += 1;
  }
  return open;
}

/** Every transitive dependent of a step, in definition order. */
export async function transitiveDependents(
  txn: RunTxn<QueryCtx>,
  stepId: string,
): Promise<string[]> {
  const order = new Map<string, number>();
  const frontier = [...((await specOf(txn, stepId))?.dependents ?? [])];
  while (frontier.length > 0) {
    const id = frontier.pop() ?? "";
    if (order.has(id) || id === stepId) continue;
    const spec = await specOf(txn, id);
    order.set(id, spec?.order ?? Number.MAX_SAFE_INTEGER);
    frontier.push(...(spec?.dependents ?? []));
  }
  return [...order].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

/**
 * A step has just entered a final state: with skip_dependents a failure
 * skips every transitive dependent at once; a satisfied need (succeeded,
 * skipped, failed under continue) counts down its pending dependents;
 * fail_run leaves them (the advance fails the run).
 */
export async function settleDependents(
  txn: RunTxn,
  row: StepRow,
): Promise<void> {
  const spec = await specOf(txn, row.stepId);
  if (spec === null) return;
  if (row.state === "failed" && spec.step.onFailure === "skip_dependents") {
    await skipDependents(txn, row);
    return;
  }
  if (!satisfies(row.state, spec.step)) return;
  for (const id of spec.dependents) {
    const dependent = await readRow(txn, id);
    // Rows of older runs have no count yet; their upgrade counts them.
    if (dependent?.state !== "pending" || dependent.openNeeds === undefined) {
      continue;
    }
    await patchStep(txn, dependent, {
      openNeeds: Math.max(0, dependent.openNeeds - 1),
    });
  }
}

async function skipDependents(txn: RunTxn, row: StepRow): Promise<void> {
  const now = Date.now();
  for (const id of await transitiveDependents(txn, row.stepId)) {
    const dependent = await readRow(txn, id);
    if (dependent?.state !== "pending" && dependent?.state !== "waiting") {
      continue;
    }
    await patchStep(txn, dependent, {
      state: "skipped",
      gate: undefined,
      readyAt: undefined,
      endedAt: now,
    });
    await logEvent(
      txn.ctx,
      txn.run._id,
      "step.skipped",
      `${row.stepId} failed (on_failure: skip_dependents)`,
      id,
    );
  }
}

/**
 * An attempt failed. With retries left the step waits out its backoff (and
 * an advance is scheduled for then); otherwise it fails for good and its
 * failure policy applies (fail_run is read by the advance).
 */
export async function failAttempt(
  txn: RunTxn,
  row: StepRow,
  error: string,
  options: { final?: boolean } = {},
): Promise<void> {
  const step = (await specOf(txn, row.stepId))?.step;
  const now = Date.now();
  const runId = txn.run._id;
  if (step !== undefined && !options.final && row.attempt <= step.retries.max) {
    const delay = retryDelayMs(step.retries, row.attempt);
    await patchStep(txn, row, {
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
      txn.ctx,
      runId,
      "step.retry",
      `${error}; retrying in ${seconds(delay)}`,
      row.stepId,
    );
    await scheduleAdvanceAt(txn.ctx, runId, now + delay);
    return;
  }
  const failed = await patchStep(txn, row, {
    state: "failed",
    error,
    endedAt: now,
    deadlineAt: undefined,
    gate: undefined,
    readyAt: undefined,
  });
  await logEvent(txn.ctx, runId, "step.failed", error, row.stepId);
  await settleDependents(txn, failed);
}

export async function succeedStep(
  txn: RunTxn,
  row: StepRow,
  output: Record<string, JsonValue> | undefined,
): Promise<void> {
  const succeeded = await patchStep(txn, row, {
    state: "succeeded",
    endedAt: Date.now(),
    deadlineAt: undefined,
    error: undefined,
    ...(output === undefined ? {} : { output: JSON.stringify(output) }),
  });
  await logEvent(txn.ctx, txn.run._id, "step.succeeded", "", row.stepId);
  await settleDependents(txn, succeeded);
}
