/**
 * The gates a ready step passes, in order, inside the transaction that marks
 * it running, so no two advances can both pass a gate only one may pass:
 *
 * 1. run concurrency: the definition's `concurrency` (running steps only);
 * 2. project concurrency: fewer than PROJECT_RUNNING_LIMIT steps running in
 *    the project, across runs;
 * 3. agent concurrency: the step's agent runs fewer than AGENT_RUNNING_LIMIT
 *    steps;
 * 4. trust: the agent's trust level reaches the step's `trust`;
 * 5. approval: with `approval: true` a person approves first (asked once);
 * 6. budget: no envelope covering org, project, agent or run is spent.
 *
 * Approval steps (a person decides) only take a run slot: they cost no
 * agent time or budget. A closed gate makes the step "waiting" with the
 * reason; a refused approval fails it.
 */
import type { MutationCtx } from "../_generated/server";
import { dispatchAllowance } from "./budgetGate";
import { freeSlots } from "./workflowDag";
import { requestStepApproval } from "./workflowRunDispatch";
import {
  patchStep,
  statesOf,
  type LoadedRun,
  type StepRow,
} from "./workflowRunState";
import { trustAllows, type StepDefinition } from "./workflowSpec";

export const PROJECT_RUNNING_LIMIT = 20;
export const AGENT_RUNNING_LIMIT = 2;

export type GateOutcome =
  | { kind: "open" }
  | { kind: "closed"; gate: string }
  | { kind: "refused"; error: string };

const open: GateOutcome = { kind: "open" };
const closed = (gate: string): GateOutcome => ({ kind: "closed", gate });

export async function checkGates(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  step: StepDefinition,
): Promise<GateOutcome> {
  const { definition, run } = loaded;
  if (freeSlots(definition, statesOf(loaded)) <= 0) {
    return closed(
      `concurrency: the run already has ${definition.concurrency} steps running`,
    );
  }
  if (step.executor === "approval") return open;

  const runningInProject = await ctx.db
    .query("workflowSteps")
    .withIndex("by_projectId_state", (q) =>
      q.eq("projectId", run.projectId).eq("state", "running"),
    )
    .take(PROJECT_RUNNING_LIMIT);
  if (runningInProject.length >= PROJECT_RUNNING_LIMIT) {
    return closed(
      `project concurrency: ${PROJECT_RUNNING_LIMIT} workflow steps are running in this project`,
    );
  }

  const agent =
    row.agentId === undefined ? null : await ctx.db.get("agents", row.agentId);
  if (agent === null) {
    return { kind: "refused", error: `agent "${step.agent}" no longer exists` };
  }
  const runningForAgent = await ctx.db
    .query("workflowSteps")
    .withIndex("by_agentId_state", (q) =>
      q.eq("agentId", agent._id).eq("state", "running"),
    )
    .take(AGENT_RUNNING_LIMIT);
  if (runningForAgent.length >= AGENT_RUNNING_LIMIT) {
    return closed(
      `agent concurrency: ${agent.name} already runs ${AGENT_RUNNING_LIMIT} steps`,
    );
  }

  if (!trustAllows(agent.trustLevel, step.trust)) {
    return closed(
      `trust: ${agent.name} is ${agent.trustLevel}; this step needs ${step.trust}`,
    );
  }

  if (step.approval) {
    const outcome = await approvalGate(ctx, loaded, row, step.id);
    if (outcome.kind !== "open") return outcome;
  }

  const allowance = await dispatchAllowance(ctx, {
    orgId: run.orgId,
    projectId: run.projectId,
    agentId: agent._id,
    runId: run._id,
  });
  if (!allowance.ok) return closed(`budget: ${allowance.reason}`);
  return open;
}

/** Asks once; later advances read the answer. */
async function approvalGate(
  ctx: MutationCtx,
  loaded: LoadedRun,
  row: StepRow,
  stepId: string,
): Promise<GateOutcome> {
  const waiting = closed("approval: waiting for a person to approve");
  if (row.approvalId === undefined) {
    const approvalId = await requestStepApproval(ctx, loaded.run, {
      summary: `Start step "${stepId}" of workflow ${loaded.run.name}?`,
      details: `Run ${loaded.run._id} (version ${loaded.run.version}) needs approval before step "${stepId}" starts.`,
    });
    await patchStep(ctx, loaded, row, { approvalId });
    return waiting;
  }
  const approval = await ctx.db.get("approvals", row.approvalId);
  if (approval === null) return { kind: "refused", error: "approval deleted" };
  if (approval.status === "approved") return open;
  if (approval.status === "pending") return waiting;
  return {
    kind: "refused",
    error: `approval ${approval.status}${approval.reason === undefined ? "" : `: ${approval.reason}`}`,
  };
}
