/**
 * What the system does to runs on its own: react to a decided approval, and
 * the watchdog. Like workflowRunOps.ts, each records what happened and
 * leaves the moving on to an advance.
 */
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { advanceTxn } from "./workflowRunAdvance";
import { requestAdvance } from "./workflowRunAdvances";
import { closeStepTask, withdrawStepApproval } from "./workflowRunDispatch";
import { failAttempt, succeedStep } from "./workflowRunFinish";
import {
  openRun,
  remember,
  seconds,
  specOf,
  type RunTxn,
} from "./workflowRunState";

/**
 * Called (scheduled) when an approval of kind workflow_step is decided: an
 * approval step succeeds or fails with it; a step gated on approval is
 * re-checked by the advance that follows in the same transaction.
 */
export async function approvalDecided(
  ctx: MutationCtx,
  approvalId: Id<"approvals">,
): Promise<void> {
  const step = await ctx.db
    .query("workflowSteps")
    .withIndex("by_approvalId", (q) => q.eq("approvalId", approvalId))
    .first();
  const approval = await ctx.db.get("approvals", approvalId);
  if (step === null || approval === null) return;
  const txn = await openRun(ctx, step.runId);
  if (txn === null || txn.run.status !== "running") return;
  const [row] = remember(txn, [step]);
  const executor = (await specOf(txn, step.stepId))?.step.executor;
  if (row?.state === "running" && executor === "approval") {
    if (approval.status === "approved") {
      await succeedStep(txn, row, {
        approved: true,
        reason: approval.reason ?? null,
      });
    } else if (approval.status !== "pending") {
      const why = approval.reason === undefined ? "" : `: ${approval.reason}`;
      await failAttempt(txn, row, `approval ${approval.status}${why}`);
    }
  }
  await advanceTxn(txn);
}

/** Steps the watchdog looks at per pass; a full batch continues next minute. */
export const WATCHDOG_BATCH = 100;

/**
 * Fails running steps past their deadline (their retry policy applies) and
 * asks for an advance of runs with waiting steps, since gates can open
 * without an event of their own (a budget raised, another run's steps
 * finishing in the project).
 */
export async function runWatchdog(ctx: MutationCtx): Promise<number> {
  const now = Date.now();
  const overdue = await ctx.db
    .query("workflowSteps")
    .withIndex("by_state_deadlineAt", (q) =>
      q.eq("state", "running").lt("deadlineAt", now),
    )
    .take(WATCHDOG_BATCH);
  const txns = new Map<Id<"workflowRuns">, RunTxn | null>();
  const runs = new Set<Id<"workflowRuns">>();
  for (const step of overdue) {
    if (!txns.has(step.runId)) {
      txns.set(step.runId, await openRun(ctx, step.runId));
    }
    const txn = txns.get(step.runId) ?? null;
    // An earlier overdue step's failure may have skipped this one.
    const row = txn?.rows.get(step.stepId) ?? step;
    if (txn === null || row.state !== "running") continue;
    const took = now - (row.startedAt ?? now);
    await failAttempt(txn, row, `timed out after ${seconds(took)}`);
    await closeStepTask(ctx, row.taskId, "cancelled");
    if ((await specOf(txn, row.stepId))?.step.executor === "approval") {
      await withdrawStepApproval(ctx, txn.run, row.approvalId);
    }
    runs.add(step.runId);
  }
  const waiting = await ctx.db
    .query("workflowSteps")
    .withIndex("by_state_deadlineAt", (q) => q.eq("state", "waiting"))
    .take(WATCHDOG_BATCH);
  for (const step of waiting) {
    if (step.readyAt === undefined) runs.add(step.runId);
  }
  for (const runId of runs) await requestAdvance(ctx, runId);
  return overdue.length;
}
