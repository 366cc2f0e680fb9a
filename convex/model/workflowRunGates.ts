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
 *
 * One advance checks many steps, so what the gates read is read once per
 * advance (GateCounts) and kept current as the advance starts steps: the
 * running counts, agents and budget allowances.
 */
import type { Doc, Id } from "../_generated/dataModel";
import { dispatchAllowance, type DispatchAllowance } from "./budgetGate";
import { requestStepApproval } from "./workflowRunDispatch";
import { patchStep, type RunTxn, type StepRow } from "./workflowRunState";
import { trustAllows, type StepDefinition } from "./workflowSpec";

export const PROJECT_RUNNING_LIMIT = 20;
export const AGENT_RUNNING_LIMIT = 2;

export type GateOutcome =
  | { kind: "open" }
  | { kind: "closed"; gate: string }
  | { kind: "refused"; error: string };

const open: GateOutcome = { kind: "open" };
const closed = (gate: string): GateOutcome => ({ kind: "closed", gate });

/**
 * Running steps (of the run, of the project, per agent), counted on first
 * use: a count made later in the advance already includes the steps it
 * started, so only counts made before a start are bumped by it.
 */
export type GateCounts = {
  /** The definition's `concurrency`; absent means no run limit. */
  readonly concurrency: number | undefined;
  run: number | null;
  project: number | null;
  readonly agents: Map<Id<"agents">, number>;
  readonly agentDocs: Map<Id<"agents">, Doc<"agents"> | null>;
  readonly allowances: Map<Id<"agents">, DispatchAllowance>;
};

export function gateCounts(concurrency: number | undefined): GateCounts {
  return {
    concurrency,
    run: null,
    project: null,
    agents: new Map(),
    agentDocs: new Map(),
    allowances: new Map(),
  };
}

/** A step of the run started: every count made so far grows by one. */
export function countStarted(counts: GateCounts, row: StepRow): void {
  if (counts.run !== null) counts.run += 1;
  if (counts.project !== null) counts.project += 1;
  const agentId = row.agentId;
  const agent = agentId === undefined ? undefined : counts.agents.get(agentId);
  if (agentId !== undefined && agent !== undefined) {
    counts.agents.set(agentId, agent + 1);
  }
}

export async function runIsFull(
  txn: RunTxn,
  counts: GateCounts,
): Promise<boolean> {
  const limit = counts.concurrency;
  if (limit === undefined) return false;
  counts.run ??= (
    await txn.ctx.db
      .query("workflowSteps")
      .withIndex("by_runId_state_readyAt_openNeeds_order", (q) =>
        q.eq("runId", txn.run._id).eq("state", "running"),
      )
      .take(limit)
  ).length;
  return counts.run >= limit;
}

export async function projectIsFull(
  txn: RunTxn,
  counts: GateCounts,
): Promise<boolean> {
  counts.project ??= (
    await txn.ctx.db
      .query("workflowSteps")
      .withIndex("by_projectId_state", (q) =>
        q.eq("projectId", txn.run.projectId).eq("state", "running"),
      )
      .take(PROJECT_RUNNING_LIMIT)
  ).length;
  return counts.project >= PROJECT_RUNNING_LIMIT;
}

async function agentOf(
  txn: RunTxn,
  counts: GateCounts,
  agentId: Id<"agents">,
): Promise<Doc<"agents"> | null> {
  let agent = counts.agentDocs.get(agentId);
  if (agent === undefined) {
    agent = await txn.ctx.db.get("agents", agentId);
    counts.agentDocs.set(agentId, agent);
  }
  return agent;
}

async function agentIsFull(
  txn: RunTxn,
  counts: GateCounts,
  agentId: Id<"agents">,
): Promise<boolean> {
  let running = counts.agents.get(agentId);
  if (running === undefined) {
    running = (
      await txn.ctx.db
        .query("workflowSteps")
        .withIndex("by_agentId_state", (q) =>
          q.eq("agentId", agentId).eq("state", "running"),
        )
        .take(AGENT_RUNNING_LIMIT)
    ).length;
    counts.agents.set(agentId, running);
  }
  return running >= AGENT_RUNNING_LIMIT;
}

export async function checkGates(
  txn: RunTxn,
  counts: GateCounts,
  row: StepRow,
  step: StepDefinition,
): Promise<GateOutcome> {
  const { run } = txn;
  if (await runIsFull(txn, counts)) {
    return closed(
      `concurrency: the run already has ${counts.concurrency} steps running`,
    );
  }
  if (step.executor === "approval") return open;

  if (await projectIsFull(txn, counts)) {
    return closed(
      `project concurrency: ${PROJECT_RUNNING_LIMIT} workflow steps are running in this project`,
    );
  }

  const agent =
    row.agentId === undefined ? null : await agentOf(txn, counts, row.agentId);
  if (agent === null) {
    return { kind: "refused", error: `agent "${step.agent}" no longer exists` };
  }
  if (await agentIsFull(txn, counts, agent._id)) {
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
    const outcome = await approvalGate(txn, row, step.id);
    if (outcome.kind !== "open") return outcome;
  }

  // Starting steps spends nothing, so one answer per agent holds all advance.
  let allowance = counts.allowances.get(agent._id);
  if (allowance === undefined) {
    allowance = await dispatchAllowance(txn.ctx, {
      orgId: run.orgId,
      projectId: run.projectId,
      agentId: agent._id,
      runId: run._id,
    });
    counts.allowances.set(agent._id, allowance);
  }
  if (!allowance.ok) return closed(`budget: ${allowance.reason}`);
  return open;
}

/** Asks once; later advances read the answer. */
async function approvalGate(
  txn: RunTxn,
  row: StepRow,
  stepId: string,
): Promise<GateOutcome> {
  const waiting = closed("approval: waiting for a person to approve");
  if (row.approvalId === undefined) {
    const approvalId = await requestStepApproval(txn.ctx, txn.run, {
      summary: `Start step "${stepId}" of workflow ${txn.run.name}?`,
      details: `Run ${txn.run._id} (version ${txn.run.version}) needs approval before step "${stepId}" starts.`,
    });
    await patchStep(txn, row, { approvalId });
    return waiting;
  }
  const approval = await txn.ctx.db.get("approvals", row.approvalId);
  if (approval === null) return { kind: "refused", error: "approval deleted" };
  if (approval.status === "approved") return open;
  if (approval.status === "pending") return waiting;
  return {
    kind: "refused",
    error: `approval ${approval.status}${approval.reason === undefined ? "" : `: ${approval.reason}`}`,
  };
}
