/**
 * A run's status from its step rows, read by state through an index rather
 * than row by row, and what ending a run does to the steps still open.
 * Same rules as workflowDag.ts's runStatus: "failed" once a fail_run step
 * has failed, "succeeded" when no step is left unfinished.
 */
import type { QueryCtx } from "../_generated/server";
import type { StepState } from "./workflowDag";
import { closeStepTask, withdrawStepApproval } from "./workflowRunDispatch";
import {
  logEvent,
  patchStep,
  remember,
  specOf,
  type RunTxn,
  type StepRow,
} from "./workflowRunState";
import { WORKFLOW_LIMITS } from "./workflowSpec";

/** The index the interpreter reads a run's steps by state through. */
export const STEPS_BY_STATE = "by_runId_state_readyAt_openNeeds_order";

export async function rowsIn(
  txn: RunTxn<QueryCtx>,
  state: StepState,
): Promise<StepRow[]> {
  const rows = await txn.ctx.db
    .query("workflowSteps")
    .withIndex(STEPS_BY_STATE, (q) =>
      q.eq("runId", txn.run._id).eq("state", state),
    )
    .take(WORKFLOW_LIMITS.steps);
  return remember(txn, rows);
}

/** Whether a fail_run step has failed (failed rows are few, if any). */
export async function runFailed(txn: RunTxn<QueryCtx>): Promise<boolean> {
  for (const row of await rowsIn(txn, "failed")) {
    if ((await specOf(txn, row.stepId))?.step.onFailure === "fail_run") {
      return true;
    }
  }
  return false;
}

const OPEN: readonly StepState[] = ["pending", "waiting", "running"];

export async function runStatus(
  txn: RunTxn<QueryCtx>,
): Promise<"running" | "succeeded" | "failed"> {
  if (await runFailed(txn)) return "failed";
  for (const state of OPEN) {
    const open = await txn.ctx.db
      .query("workflowSteps")
      .withIndex(STEPS_BY_STATE, (q) =>
        q.eq("runId", txn.run._id).eq("state", state),
      )
      .first();
    if (open !== null) return "running";
  }
  return "succeeded";
}

/**
 * When a run ends (failed, or cancelled) nothing of it may go on: waiting
 * and pending steps are skipped, running ones fail, and their tasks and
 * approvals are closed so nobody keeps working for a finished run.
 */
export async function closeOpenSteps(
  txn: RunTxn,
  reason: string,
): Promise<void> {
  const now = Date.now();
  const open: StepRow[] = [];
  for (const state of OPEN) open.push(...(await rowsIn(txn, state)));
  open.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  for (const row of open) {
    if (row.state === "running") {
      await patchStep(txn, row, {
        state: "failed",
        error: reason,
        endedAt: now,
        deadlineAt: undefined,
      });
      await closeStepTask(txn.ctx, row.taskId, "cancelled");
    } else {
      await patchStep(txn, row, {
        state: "skipped",
        gate: undefined,
        readyAt: undefined,
        endedAt: now,
      });
    }
    await withdrawStepApproval(txn.ctx, txn.run, row.approvalId);
    await logEvent(txn.ctx, txn.run._id, "step.closed", reason, row.stepId);
  }
}
