/**
 * The workflow interpreter: one `advance` is one transaction that moves a
 * run as far as it can go now. It starts ready steps (after their `if` and
 * gates), re-checks waiting ones, turns due retry waits back into pending,
 * and ends the run when every step is finished (or a fail_run step failed).
 * Everything else (a step's result, an approval's decision, a retry coming
 * due, the watchdog) only records what happened and schedules an advance.
 */
import { internal } from "../_generated/api";
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { readySteps, runStatus } from "./workflowDag";
import {
  evaluateCondition,
  renderTemplate,
  type ExprContext,
} from "./workflowExpr";
import { checkGates } from "./workflowRunGates";
import {
  closeStepTask,
  createStepTask,
  requestStepApproval,
  withdrawStepApproval,
} from "./workflowRunDispatch";
import {
  exprContext,
  failAttempt,
  loadRun,
  logEvent,
  patchStep,
  statesOf,
  type LoadedRun,
  type StepRow,
} from "./workflowRunState";
import type {
  AgentStepDefinition,
  JsonValue,
  StepDefinition,
} from "./workflowSpec";

export async function advanceRun(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
): Promise<void> {
  const loaded = await loadRun(ctx, runId);
  if (loaded === null || loaded.run.status !== "running") return;
  const now = Date.now();
  for (const row of [...loaded.rows.values()]) {
    if (row.state === "waiting" && row.readyAt !== undefined) {
      if (row.readyAt > now) continue;
      await patchStep(ctx, loaded, row, {
        state: "pending",
        readyAt: undefined,
        gate: undefined,
      });
    }
  }
  // A skip or a final failure can make more steps ready; a start cannot.
  // Each round finishes at least one step, so the steps bound the rounds.
  for (let round = 0; round <= loaded.definition.steps.length; round += 1) {
    if (!(await advanceRound(ctx, loaded))) break;
  }
  const status = runStatus(loaded.definition, statesOf(loaded));
  if (status === "running") return;
  await closeOpenSteps(ctx, loaded, `the run ${status}`);
  await ctx.db.patch("workflowRuns", runId, { status, endedAt: Date.now() });
  await logEvent(ctx, runId, `run.${status}`, "");
}

/** One pass over the candidates; true if some step finished. */
async function advanceRound(
  ctx: MutationCtx,
  loaded: LoadedRun,
): Promise<boolean> {
  const ready = new Set(readySteps(loaded.definition, statesOf(loaded)));
  let finished = false;
  for (const step of loaded.definition.steps) {
    const row = loaded.rows.get(step.id);
    if (row === undefined) continue;
    const gated = row.state === "waiting" && row.readyAt === undefined;
    if (!ready.has(step.id) && !gated) continue;
    if (row.state === "pending" && step.condition !== undefined) {
      if (!evaluateCondition(step.condition, exprContext(loaded))) {
        await patchStep(ctx, loaded, row, {
          state: "skipped",
          endedAt: Date.now(),
        });
        await logEvent(
          ctx,
          loaded.run._id,
          "step.skipped",
          `if: ${step.condition} is false`,
          step.id,
        );
        finished = true;
        continue;
      }
    }
    if (await tryStart(ctx, loaded, row, step)) finished = true;
  }
  return finished;
}

/** Gates, then start and dispatch. True if the step finished instead. */
async function tryStart(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  step: StepDefinition,
): Promise<boolean> {
  const outcome = await checkGates(ctx, loaded, row, step);
  // checkGates may have recorded an approval on the row.
  const current = loaded.rows.get(row.stepId) ?? row;
  if (outcome.kind === "refused") {
    await failAttempt(ctx, loaded, current, outcome.error, { final: true });
    return true;
  }
  if (outcome.kind === "closed") {
    if (current.state !== "waiting" || current.gate !== outcome.gate) {
      await patchStep(ctx, loaded, current, {
        state: "waiting",
        gate: outcome.gate,
      });
      await logEvent(
        ctx,
        loaded.run._id,
        "step.waiting",
        outcome.gate,
        step.id,
      );
    }
    return false;
  }
  const now = Date.now();
  const started = await patchStep(ctx, loaded, current, {
    state: "running",
    attempt: current.attempt + 1,
    startedAt: now,
    deadlineAt: now + step.timeoutMs,
    endedAt: undefined,
    gate: undefined,
    readyAt: undefined,
  });
  await logEvent(
    ctx,
    loaded.run._id,
    "step.started",
    `attempt ${started.attempt}`,
    step.id,
  );
  return await dispatch(ctx, loaded, started, step);
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
  loaded: LoadedRun,
  step: AgentStepDefinition,
): string {
  const context = exprContext(loaded);
  return `${asText(renderTemplate(step.prompt, context))}${inputsText(step, context)}`;
}

async function dispatch(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  step: StepDefinition,
): Promise<boolean> {
  const context = exprContext(loaded);
  const withText = inputsText(step, context);
  if (step.executor === "approval") {
    const approvalId = await requestStepApproval(ctx, loaded.run, {
      summary: asText(renderTemplate(step.summary, context)),
      details: `Step "${step.id}" of workflow ${loaded.run.name} (run ${loaded.run._id}).${withText}`,
      ttlMs: step.timeoutMs,
    });
    await patchStep(ctx, loaded, row, { approvalId });
    return false;
  }
  if (row.agentId === undefined) throw new Error("Agent step without agent.");
  if (step.executor === "native") {
    // The model call cannot happen in a mutation: an action reads, calls
    // and writes back (convex/nativeAgents.ts), checking the attempt first.
    await ctx.scheduler.runAfter(0, internal.nativeAgents.runStep, {
      runId: loaded.run._id,
      stepId: step.id,
      attempt: row.attempt,
    });
    return false;
  }
  const taskId = await createStepTask(ctx, loaded.run, {
    stepId: step.id,
    agentId: row.agentId,
    prompt: renderStepPrompt(loaded, step),
  });
  await patchStep(ctx, loaded, row, { taskId });
  return false;
}

/**
 * When a run ends (failed, or cancelled) nothing of it may go on: waiting
 * and pending steps are skipped, running ones fail, and their tasks and
 * approvals are closed so nobody keeps working for a finished run.
 */
export async function closeOpenSteps(
  ctx: MutationCtx,
  loaded: LoadedRun,
  reason: string,
): Promise<void> {
  const now = Date.now();
  for (const row of [...loaded.rows.values()]) {
    if (row.state === "running") {
      await patchStep(ctx, loaded, row, {
        state: "failed",
        error: reason,
        endedAt: now,
        deadlineAt: undefined,
      });
      await closeStepTask(ctx, row.taskId, "cancelled");
      await withdrawStepApproval(ctx, loaded.run, row.approvalId);
    } else if (row.state === "pending" || row.state === "waiting") {
      await patchStep(ctx, loaded, row, {
        state: "skipped",
        gate: undefined,
        readyAt: undefined,
        endedAt: now,
      });
      await withdrawStepApproval(ctx, loaded.run, row.approvalId);
    } else {
      continue;
    }
    await logEvent(ctx, loaded.run._id, "step.closed", reason, row.stepId);
  }
}
