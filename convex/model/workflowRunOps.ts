/**
 * What people, agents and the system do to runs: start, report a step's
 * result, cancel, rerun a failed step, react to a decided approval, and the
 * watchdog. Each records what happened and leaves the moving on to an
 * advance (workflowRunAdvance.ts), scheduled or run inline.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { fail } from "./errors";
import { stepsToSkip } from "./workflowDag";
import { advanceRun, closeOpenSteps } from "./workflowRunAdvance";
import { resolveAgents } from "./workflowRunDefinitions";
import { closeStepTask, withdrawStepApproval } from "./workflowRunDispatch";
import {
  failAttempt,
  loadRun,
  logEvent,
  patchStep,
  scheduleAdvance,
  seconds,
  stepDefinition,
  succeedStep,
  type LoadedRun,
} from "./workflowRunState";
import {
  resolveRunInputs,
  WORKFLOW_LIMITS,
  type JsonValue,
  type WorkflowDefinition,
} from "./workflowSpec";

type Flat = Record<string, string | number | boolean | null>;

async function auditRun(
  ctx: MutationCtx,
  actor: Doc<"auditEvents">["actor"],
  run: Doc<"workflowRuns">,
  action: string,
  after: Flat,
): Promise<void> {
  // The audit log has no workflow entity yet; the project owns runs.
  await recordAudit(ctx, actor, {
    orgId: run.orgId,
    action,
    entity: "project",
    entityId: run._id,
    after,
  });
}

export async function startRun(
  ctx: MutationCtx,
  access: Access,
  workflow: Doc<"workflows">,
  provided: Record<string, JsonValue>,
): Promise<Id<"workflowRuns">> {
  const definition = JSON.parse(workflow.definition) as WorkflowDefinition;
  const inputs = resolveRunInputs(definition, provided);
  // Agents may have been renamed or removed since the definition was saved.
  const agents = await resolveAgents(ctx, workflow.orgId, definition);
  const now = Date.now();
  const runId = await ctx.db.insert("workflowRuns", {
    orgId: workflow.orgId,
    projectId: workflow.projectId,
    workflowId: workflow._id,
    name: workflow.name,
    version: workflow.version,
    status: "running",
    inputs: JSON.stringify(inputs),
    startedBy: access.principal.id,
    startedAt: now,
  });
  for (const step of definition.steps) {
    const agentId = agents.get(step.id)?._id;
    await ctx.db.insert("workflowSteps", {
      runId,
      projectId: workflow.projectId,
      stepId: step.id,
      state: "pending",
      attempt: 0,
      ...(agentId === undefined ? {} : { agentId }),
    });
  }
  await logEvent(ctx, runId, "run.started", `version ${workflow.version}`);
  const run = (await ctx.db.get("workflowRuns", runId))!;
  await auditRun(ctx, actorOf(access), run, "workflowRun.start", {
    workflow: workflow.name,
    version: workflow.version,
  });
  await scheduleAdvance(ctx, runId);
  return runId;
}

async function mustLoad(
  ctx: MutationCtx,
  runId: Id<"workflowRuns">,
): Promise<LoadedRun> {
  const loaded = await loadRun(ctx, runId);
  if (loaded === null) fail("NOT_FOUND", "Workflow run not found.");
  return loaded;
}

function mustRow(loaded: LoadedRun, stepId: string) {
  const row = loaded.rows.get(stepId);
  if (row === undefined) {
    fail("NOT_FOUND", `The run has no step "${stepId}".`);
  }
  return row;
}

export type StepResult = {
  status: "succeeded" | "failed";
  output?: Record<string, JsonValue>;
  error?: string;
};

export async function completeStep(
  ctx: MutationCtx,
  access: Access,
  run: Doc<"workflowRuns">,
  stepId: string,
  result: StepResult,
): Promise<void> {
  const loaded = await mustLoad(ctx, run._id);
  if (run.status !== "running") {
    fail("ILLEGAL_TRANSITION", `The run is ${run.status}.`);
  }
  const row = mustRow(loaded, stepId);
  const principal = access.principal;
  // People may settle any step by hand; an agent only its own.
  if (principal.kind === "agent" && row.agentId !== principal.id) {
    fail("FORBIDDEN", `Step "${stepId}" is assigned to another agent.`);
  }
  if (stepDefinition(loaded.definition, stepId)?.executor === "approval") {
    fail("ILLEGAL_TRANSITION", "An approval step is decided by its approval.");
  }
  if (row.state !== "running") {
    fail(
      "ILLEGAL_TRANSITION",
      `Step "${stepId}" is ${row.state}, not running.`,
    );
  }
  const outputJson =
    result.output === undefined ? undefined : JSON.stringify(result.output);
  if ((outputJson?.length ?? 0) > WORKFLOW_LIMITS.valueLength) {
    fail(
      "INVALID_ARGUMENT",
      `The output is longer than ${WORKFLOW_LIMITS.valueLength} characters as JSON.`,
    );
  }
  if (result.status === "succeeded") {
    await succeedStep(ctx, loaded, row, result.output);
    await closeStepTask(ctx, row.taskId, "done");
  } else {
    const error = (result.error ?? "").trim() || "failed (no error given)";
    await failAttempt(ctx, loaded, row, error.slice(0, 2_000));
    await closeStepTask(ctx, row.taskId, "cancelled");
  }
  await auditRun(ctx, actorOf(access), run, "workflowRun.completeStep", {
    step: stepId,
    status: result.status,
  });
  await scheduleAdvance(ctx, run._id);
}

export async function cancelRun(
  ctx: MutationCtx,
  access: Access,
  run: Doc<"workflowRuns">,
): Promise<void> {
  if (run.status !== "running") {
    fail("ILLEGAL_TRANSITION", `The run is already ${run.status}.`);
  }
  const loaded = await mustLoad(ctx, run._id);
  await closeOpenSteps(ctx, loaded, "the run was cancelled");
  await ctx.db.patch("workflowRuns", run._id, {
    status: "cancelled",
    endedAt: Date.now(),
  });
  await logEvent(ctx, run._id, "run.cancelled", "");
  await auditRun(ctx, actorOf(access), run, "workflowRun.cancel", {
    status: "cancelled",
  });
}

/**
 * A failed step starts over (attempts reset, approvals asked again), the
 * dependents its failure skipped become pending, and a finished run runs
 * again.
 */
export async function rerunStep(
  ctx: MutationCtx,
  access: Access,
  run: Doc<"workflowRuns">,
  stepId: string,
): Promise<void> {
  if (run.status === "cancelled") {
    fail("ILLEGAL_TRANSITION", "The run was cancelled.");
  }
  const loaded = await mustLoad(ctx, run._id);
  const row = mustRow(loaded, stepId);
  if (row.state !== "failed") {
    fail(
      "ILLEGAL_TRANSITION",
      `Only a failed step reruns; "${stepId}" is ${row.state}.`,
    );
  }
  const reset = {
    state: "pending" as const,
    attempt: 0,
    startedAt: undefined,
    endedAt: undefined,
    deadlineAt: undefined,
    readyAt: undefined,
    gate: undefined,
    error: undefined,
    output: undefined,
    taskId: undefined,
    approvalId: undefined,
  };
  await patchStep(ctx, loaded, row, reset);
  for (const id of stepsToSkip(loaded.definition, stepId)) {
    const dependent = loaded.rows.get(id);
    if (dependent?.state === "skipped") {
      await patchStep(ctx, loaded, dependent, reset);
    }
  }
  if (run.status !== "running") {
    await ctx.db.patch("workflowRuns", run._id, {
      status: "running",
      endedAt: undefined,
    });
  }
  await logEvent(ctx, run._id, "step.rerun", "", stepId);
  await auditRun(ctx, actorOf(access), run, "workflowRun.rerunStep", {
    step: stepId,
  });
  await scheduleAdvance(ctx, run._id);
}

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
  const loaded = await loadRun(ctx, step.runId);
  if (loaded === null || loaded.run.status !== "running") return;
  const row = loaded.rows.get(step.stepId);
  const definition = stepDefinition(loaded.definition, step.stepId);
  if (row?.state === "running" && definition?.executor === "approval") {
    if (approval.status === "approved") {
      await succeedStep(ctx, loaded, row, {
        approved: true,
        reason: approval.reason ?? null,
      });
    } else if (approval.status !== "pending") {
      const why = approval.reason === undefined ? "" : `: ${approval.reason}`;
      await failAttempt(ctx, loaded, row, `approval ${approval.status}${why}`);
    }
  }
  await advanceRun(ctx, loaded.run._id);
}

/** Steps the watchdog looks at per pass; a full batch continues next minute. */
export const WATCHDOG_BATCH = 100;

/**
 * Fails running steps past their deadline (their retry policy applies) and
 * schedules an advance for runs with waiting steps, since gates can open
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
  const runs = new Set<Id<"workflowRuns">>();
  for (const step of overdue) {
    const loaded = await loadRun(ctx, step.runId);
    const row = loaded?.rows.get(step.stepId);
    if (loaded === null || row === undefined || row.state !== "running") {
      continue;
    }
    const took = now - (row.startedAt ?? now);
    await failAttempt(ctx, loaded, row, `timed out after ${seconds(took)}`);
    await closeStepTask(ctx, row.taskId, "cancelled");
    if (
      stepDefinition(loaded.definition, row.stepId)?.executor === "approval"
    ) {
      await withdrawStepApproval(ctx, loaded.run, row.approvalId);
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
  for (const runId of runs) await scheduleAdvance(ctx, runId);
  return overdue.length;
}
