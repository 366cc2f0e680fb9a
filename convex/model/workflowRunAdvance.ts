/**
 * The workflow interpreter: one `advance` is one transaction that moves a
 * run as far as it can go now. It starts ready steps (after their `if` and
 * gates), re-checks waiting ones, turns due retry waits back into pending,
 * and ends the run when every step is finished (or a fail_run step failed).
 * Everything else (a step's result, an approval's decision, a retry coming
 * due, the watchdog) only records what happened and asks for an advance.
 *
 * An advance reads what can move, by index, never the whole run: ready rows
 * (pending, no open needs: workflowRunFinish.ts keeps the counts), gated
 * waits, retries come due, and the counts the gates need, once
 * (workflowRunGates.ts). Candidates go in definition order, the tie-break
 * everywhere. Once nothing more can start (the run's or the project's slots
 * are taken), waits are not re-checked: their gates could not open, so the
 * gate they show stays the one last recorded.
 */
import { internal } from "../_generated/api";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import {
  evaluateCondition,
  renderTemplate,
  type ExprContext,
} from "./workflowExpr";
import { beginAdvance, type AdvanceBook } from "./workflowRunAdvances";
import { createStepTask, requestStepApproval } from "./workflowRunDispatch";
import {
  countOpenNeeds,
  failAttempt,
  settleDependents,
} from "./workflowRunFinish";
import {
  checkGates,
  countStarted,
  gateCounts,
  projectIsFull,
  runIsFull,
  type GateCounts,
} from "./workflowRunGates";
import {
  closeOpenSteps,
  runFailed,
  runStatus,
  STEPS_BY_STATE,
} from "./workflowRunStatus";
import type { StepSpec } from "./workflowRunSpecs";
import {
  logEvent,
  openRun,
  patchStep,
  remember,
  specOf,
  stepContext,
  type RunTxn,
  type StepRow,
} from "./workflowRunState";
import {
  WORKFLOW_LIMITS,
  type AgentStepDefinition,
  type JsonValue,
  type StepDefinition,
} from "./workflowSpec";

export async function advanceRun(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
): Promise<void> {
  const txn = await openRun(ctx, runId);
  if (txn !== null) await advanceTxn(txn);
}

/** The advance, in a transaction that may already have read part of the run. */
export async function advanceTxn(txn: RunTxn): Promise<void> {
  const book = await beginAdvance(txn);
  if (book === null) return;
  await wakeRetries(txn);
  const counts = gateCounts(book.concurrency);
  // A skip or a final failure can make more steps ready; a start cannot.
  // Each round finishes at least one step, so the steps bound the rounds.
  for (let round = 0; round <= WORKFLOW_LIMITS.steps; round += 1) {
    if (!(await advanceRound(txn, book, counts))) break;
  }
  const status = await runStatus(txn);
  if (status === "running") return;
  await closeOpenSteps(txn, `the run ${status}`);
  await txn.ctx.db.patch("workflowRuns", txn.run._id, {
    status,
    endedAt: Date.now(),
  });
  await logEvent(txn.ctx, txn.run._id, `run.${status}`, "");
}

/** Retry waits whose time has come become pending again. */
async function wakeRetries(txn: RunTxn): Promise<void> {
  const due = await txn.ctx.db
    .query("workflowSteps")
    .withIndex(STEPS_BY_STATE, (q) =>
      q
        .eq("runId", txn.run._id)
        .eq("state", "waiting")
        .gte("readyAt", 0)
        .lte("readyAt", Date.now()),
    )
    .take(WORKFLOW_LIMITS.steps);
  for (const row of remember(txn, due)) {
    // A need may have been rerun meanwhile: count again.
    await patchStep(txn, row, {
      state: "pending",
      readyAt: undefined,
      gate: undefined,
      openNeeds: await countOpenNeeds(txn, row.stepId),
    });
  }
}

async function candidates(
  txn: RunTxn,
  state: "pending" | "waiting",
): Promise<StepRow[]> {
  const rows = await txn.ctx.db
    .query("workflowSteps")
    .withIndex(STEPS_BY_STATE, (q) => {
      const range = q
        .eq("runId", txn.run._id)
        .eq("state", state)
        .eq("readyAt", undefined);
      return state === "pending" ? range.eq("openNeeds", 0) : range;
    })
    .take(WORKFLOW_LIMITS.steps);
  return remember(txn, rows);
}

/**
 * Whether a waiting step could start now: not with the run's slots taken,
 * nor an agent step with the project's.
 */
async function mayStart(
  txn: RunTxn,
  book: AdvanceBook,
  counts: GateCounts,
  stepId: string,
): Promise<boolean> {
  if (await runIsFull(txn, counts)) return false;
  if (!(await projectIsFull(txn, counts))) return true;
  if (book.approvalSteps === 0) return false;
  return (await specOf(txn, stepId))?.step.executor === "approval";
}

/** One pass over the candidates; true if some step finished. */
async function advanceRound(
  txn: RunTxn,
  book: AdvanceBook,
  counts: GateCounts,
): Promise<boolean> {
  // Nothing is ready once a fail_run step has failed (workflowDag.ts).
  if (await runFailed(txn)) return false;
  const ready = await candidates(txn, "pending");
  const someMayStart =
    !(await runIsFull(txn, counts)) &&
    (book.approvalSteps > 0 || !(await projectIsFull(txn, counts)));
  const waiting = someMayStart ? await candidates(txn, "waiting") : [];
  const ordered = [...ready, ...waiting].sort(
    (a, b) => (a.order ?? 0) - (b.order ?? 0),
  );
  let finished = false;
  for (const candidate of ordered) {
    // An earlier candidate's failure may have skipped this one.
    const row = txn.rows.get(candidate.stepId) ?? candidate;
    if (row.state === "waiting") {
      if (!(await mayStart(txn, book, counts, row.stepId))) continue;
    } else if (row.state !== "pending") {
      continue;
    }
    const spec = await specOf(txn, row.stepId);
    if (spec === null) continue;
    if (await consider(txn, counts, row, spec)) finished = true;
  }
  return finished;
}

/** A candidate's `if`, then its gates; true if it finished instead. */
async function consider(
  txn: RunTxn,
  counts: GateCounts,
  row: StepRow,
  spec: StepSpec,
): Promise<boolean> {
  const { step } = spec;
  let context: ExprContext | undefined;
  const contextOf = async () => (context ??= await stepContext(txn, spec));
  if (row.state === "pending" && step.condition !== undefined) {
    if (!evaluateCondition(step.condition, await contextOf())) {
      const skipped = await patchStep(txn, row, {
        state: "skipped",
        endedAt: Date.now(),
      });
      await logEvent(
        txn.ctx,
        txn.run._id,
        "step.skipped",
        `if: ${step.condition} is false`,
        step.id,
      );
      await settleDependents(txn, skipped);
      return true;
    }
  }
  const outcome = await checkGates(txn, counts, row, step);
  // checkGates may have recorded an approval on the row.
  const current = txn.rows.get(row.stepId) ?? row;
  if (outcome.kind === "refused") {
    await failAttempt(txn, current, outcome.error, { final: true });
    return true;
  }
  if (outcome.kind === "closed") {
    if (current.state !== "waiting" || current.gate !== outcome.gate) {
      await patchStep(txn, current, { state: "waiting", gate: outcome.gate });
      await logEvent(
        txn.ctx,
        txn.run._id,
        "step.waiting",
        outcome.gate,
        step.id,
      );
    }
    return false;
  }
  const now = Date.now();
  const started = await patchStep(txn, current, {
    state: "running",
    attempt: current.attempt + 1,
    startedAt: now,
    deadlineAt: now + step.timeoutMs,
    endedAt: undefined,
    gate: undefined,
    readyAt: undefined,
  });
  countStarted(counts, started);
  await logEvent(
    txn.ctx,
    txn.run._id,
    "step.started",
    `attempt ${started.attempt}`,
    step.id,
  );
  await dispatch(txn, started, step, await contextOf());
  return false;
}

function asText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function inputsText(step: StepDefinition, context: ExprContext): string {
  if (Object.keys(step.with).length === 0) return "";
  return `\n\nInputs: ${JSON.stringify(renderTemplate(step.with, context))}`;
}

/** An agent step's prompt: its template rendered, then its rendered inputs. */
export function renderStepPrompt(
  step: AgentStepDefinition,
  context: ExprContext,
): string {
  return `${asText(renderTemplate(step.prompt, context))}${inputsText(step, context)}`;
}

/** The prompt of a step of a run, reading only the steps it names. */
export async function stepPrompt(
  txn: RunTxn<QueryCtx>,
  spec: StepSpec,
  step: AgentStepDefinition,
): Promise<string> {
  return renderStepPrompt(step, await stepContext(txn, spec));
}

async function dispatch(
  txn: RunTxn,
  row: StepRow,
  step: StepDefinition,
  context: ExprContext,
): Promise<void> {
  const { run } = txn;
  if (step.executor === "approval") {
    const approvalId = await requestStepApproval(txn.ctx, run, {
      summary: asText(renderTemplate(step.summary, context)),
      details: `Step "${step.id}" of workflow ${run.name} (run ${run._id}).${inputsText(step, context)}`,
      ttlMs: step.timeoutMs,
    });
    await patchStep(txn, row, { approvalId });
    return;
  }
  if (row.agentId === undefined) throw new Error("Agent step without agent.");
  if (step.executor === "native") {
    // The model call cannot happen in a mutation: an action reads, calls
    // and writes back (convex/nativeAgents.ts), checking the attempt first.
    await txn.ctx.scheduler.runAfter(0, internal.nativeAgents.runStep, {
      runId: run._id,
      stepId: step.id,
      attempt: row.attempt,
    });
    return;
  }
  const taskId = await createStepTask(txn.ctx, run, {
    stepId: step.id,
    agentId: row.agentId,
    prompt: renderStepPrompt(step, context),
  });
  await patchStep(txn, row, { taskId });
}
