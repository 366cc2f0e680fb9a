/**
 * What people and agents do to runs: start, report a step's result, cancel,
 * rerun a failed step. Each records what happened and leaves the moving on
 * to an advance (workflowRunAdvance.ts); the system's own triggers (an
 * approval decided, the watchdog) are in workflowRunHooks.ts.
 */
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { fail } from "./errors";
import { createBook, requestAdvance } from "./workflowRunAdvances";
import { resolveAgents } from "./workflowRunDefinitions";
import { closeStepTask } from "./workflowRunDispatch";
import {
  countOpenNeeds,
  failAttempt,
  succeedStep,
  transitiveDependents,
} from "./workflowRunFinish";
import { ensureStepSpecs, needsOf, parseDefinition } from "./workflowRunSpecs";
import {
  logEvent,
  patchStep,
  readRow,
  runTxn,
  specOf,
  type RunTxn,
  type StepRow,
} from "./workflowRunState";
import { closeOpenSteps } from "./workflowRunStatus";
import {
  resolveRunInputs,
  WORKFLOW_LIMITS,
  type JsonValue,
} from "./workflowSpec";

type Flat = Record<string, string | number | boolean | null>;

export async function auditRun(
  ctx: MutationCtx,
  actor: Doc<"auditEvents">["actor"],
  run: Doc<"workflowRuns">,
  action: string,
  after: Flat,
): Promise<void> {
  await recordAudit(ctx, actor, {
    orgId: run.orgId,
    action,
    entity: "workflowRun",
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
  const definition = parseDefinition(workflow);
  const inputs = resolveRunInputs(definition, provided);
  // Agents may have been renamed or removed since the definition was saved.
  const agents = await resolveAgents(ctx, workflow.orgId, definition);
  const specs = await ensureStepSpecs(ctx, workflow, definition);
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
  for (const [order, step] of definition.steps.entries()) {
    const agentId = agents.get(step.id)?._id;
    await ctx.db.insert("workflowSteps", {
      runId,
      projectId: workflow.projectId,
      stepId: step.id,
      state: "pending",
      attempt: 0,
      order,
      openNeeds: needsOf(step, specs).length,
      ...(agentId === undefined ? {} : { agentId }),
    });
  }
  await logEvent(ctx, runId, "run.started", `version ${workflow.version}`);
  const run = (await ctx.db.get("workflowRuns", runId))!;
  await auditRun(ctx, actorOf(access), run, "workflowRun.start", {
    workflow: workflow.name,
    version: workflow.version,
  });
  await createBook(ctx, runId, definition, now);
  await ctx.scheduler.runAfter(0, internal.workflowRuns.advance, { runId });
  return runId;
}

async function mustRow(txn: RunTxn, stepId: string): Promise<StepRow> {
  const row = await readRow(txn, stepId);
  if (row === null) fail("NOT_FOUND", `The run has no step "${stepId}".`);
  return row;
}

export type StepResult = {
  status: "succeeded" | "failed";
  output?: Record<string, JsonValue>;
  error?: string;
};

/**
 * A step's result, reported by its agent or settled by a person. Reads the
 * step's own row and spec (and, when it finishes, its dependents' rows),
 * never the rest of the run.
 */
export async function completeStep(
  ctx: MutationCtx,
  access: Access,
  run: Doc<"workflowRuns">,
  stepId: string,
  result: StepResult,
): Promise<void> {
  if (run.status !== "running") {
    fail("ILLEGAL_TRANSITION", `The run is ${run.status}.`);
  }
  const txn = runTxn(ctx, run);
  const row = await mustRow(txn, stepId);
  const principal = access.principal;
  // People may settle any step by hand; an agent only its own.
  if (principal.kind === "agent" && row.agentId !== principal.id) {
    fail("FORBIDDEN", `Step "${stepId}" is assigned to another agent.`);
  }
  if ((await specOf(txn, stepId))?.step.executor === "approval") {
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
    await succeedStep(txn, row, result.output);
    await closeStepTask(ctx, row.taskId, "done");
  } else {
    const error = (result.error ?? "").trim() || "failed (no error given)";
    await failAttempt(txn, row, error.slice(0, 2_000));
    await closeStepTask(ctx, row.taskId, "cancelled");
  }
  await auditRun(ctx, actorOf(access), run, "workflowRun.completeStep", {
    step: stepId,
    status: result.status,
  });
  await requestAdvance(ctx, run._id);
}

export async function cancelRun(
  ctx: MutationCtx,
  access: Access,
  run: Doc<"workflowRuns">,
): Promise<void> {
  if (run.status !== "running") {
    fail("ILLEGAL_TRANSITION", `The run is already ${run.status}.`);
  }
  await closeOpenSteps(runTxn(ctx, run), "the run was cancelled");
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
 * again. The reset rows, and the pending steps that need them, count their
 * open needs again.
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
  const txn = runTxn(ctx, run);
  const row = await mustRow(txn, stepId);
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
  const pending = [await patchStep(txn, row, reset)];
  for (const id of await transitiveDependents(txn, stepId)) {
    const dependent = await readRow(txn, id);
    if (dependent?.state === "skipped") {
      pending.push(await patchStep(txn, dependent, reset));
    }
  }
  await recountNeeds(txn, pending);
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
  await requestAdvance(ctx, run._id);
}

/** Rows now pending, and pending rows that need them, count their needs. */
async function recountNeeds(txn: RunTxn, reset: StepRow[]): Promise<void> {
  const ids = new Set(reset.map((row) => row.stepId));
  for (const row of reset) {
    for (const id of (await specOf(txn, row.stepId))?.dependents ?? []) {
      if ((await readRow(txn, id))?.state === "pending") ids.add(id);
    }
  }
  for (const id of ids) {
    const row = await readRow(txn, id);
    if (row === null) continue;
    const openNeeds = await countOpenNeeds(txn, id);
    if (row.openNeeds !== openNeeds) await patchStep(txn, row, { openNeeds });
  }
}
