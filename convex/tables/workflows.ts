/**
 * Workflows: versioned definitions (the YAML and its parsed form) with one
 * spec row per step, their runs, one row per step of a run (the
 * interpreter's state), each run's advance bookkeeping, and each run's event
 * log. The interpreter is convex/model/workflowRunAdvance.ts.
 */
import { defineTable } from "convex/server";
import { v, type Infer } from "convex/values";
import { STEP_STATES } from "../model/workflowDag";
import { vPrincipalId } from "../validators";

export const vWorkflowRunStatus = v.union(
  v.literal("running"),
  v.literal("succeeded"),
  v.literal("failed"),
  v.literal("cancelled"),
);
export type WorkflowRunStatus = Infer<typeof vWorkflowRunStatus>;

/** workflowDag.ts's StepState, from its one list. */
export const vStepState = v.union(
  ...STEP_STATES.map((state) => v.literal(state)),
);

export const workflowTables = {
  workflows: defineTable({
    orgId: v.id("orgs"),
    projectId: v.id("projects"),
    name: v.string(),
    /** 1, 2, … per project and name: saving never changes a version runs use. */
    version: v.number(),
    /** The YAML as written. */
    source: v.string(),
    /** JSON of the parsed WorkflowDefinition (workflowSpec.ts). */
    definition: v.string(),
    createdBy: vPrincipalId,
    createdAt: v.number(),
  }).index("by_projectId_name_version", ["projectId", "name", "version"]),

  /**
   * One step of a saved definition, as the interpreter reads it: a run's
   * transactions read the specs of the steps they touch instead of the whole
   * definition (model/workflowRunSpecs.ts). Written once per workflow, at its
   * first run; immutable like the workflow.
   */
  workflowStepSpecs: defineTable({
    workflowId: v.id("workflows"),
    stepId: v.string(),
    /** The step's position in the definition: the tie-break order. */
    order: v.number(),
    /** JSON of the step's StepDefinition (workflowSpec.ts). */
    step: v.string(),
    /** Steps that need this one, in definition order. */
    dependents: v.array(v.string()),
    /** Steps whose status or output the step's `if` and templates read. */
    reads: v.union(v.literal("all"), v.array(v.string())),
  }).index("by_workflowId_stepId", ["workflowId", "stepId"]),

  workflowRuns: defineTable({
    orgId: v.id("orgs"),
    projectId: v.id("projects"),
    workflowId: v.id("workflows"),
    name: v.string(),
    version: v.number(),
    status: vWorkflowRunStatus,
    /** JSON of the resolved inputs. */
    inputs: v.string(),
    startedBy: vPrincipalId,
    startedAt: v.number(),
    endedAt: v.optional(v.number()),
    /** Tokens and money spent on the run so far (absent: none yet). */
    usedTokens: v.optional(v.number()),
    usedCostUsd: v.optional(v.number()),
  }).index("by_projectId_startedAt", ["projectId", "startedAt"]),

  workflowSteps: defineTable({
    runId: v.id("workflowRuns"),
    projectId: v.id("projects"),
    stepId: v.string(),
    state: vStepState,
    /** Attempts started so far. */
    attempt: v.number(),
    /** The step's position in the definition (absent: rows of older runs). */
    order: v.optional(v.number()),
    /**
     * Needs not yet satisfied; a pending step with none left is ready. Kept
     * by whatever finishes a need (model/workflowRunFinish.ts), recounted on
     * rerun (absent: rows of older runs, counted on their next advance).
     */
    openNeeds: v.optional(v.number()),
    /** The agent of an agent step, resolved when the run started. */
    agentId: v.optional(v.id("agents")),
    /** A retry wait: the step may start again at this time. */
    readyAt: v.optional(v.number()),
    startedAt: v.optional(v.number()),
    endedAt: v.optional(v.number()),
    /** A running step not finished by then is failed by the watchdog. */
    deadlineAt: v.optional(v.number()),
    /** JSON of the record the agent reported. */
    output: v.optional(v.string()),
    error: v.optional(v.string()),
    /** Why a waiting step waits (a gate, or a retry's backoff). */
    gate: v.optional(v.string()),
    taskId: v.optional(v.id("tasks")),
    /** The approval a step waits for (approval: true) or is (executor approval). */
    approvalId: v.optional(v.id("approvals")),
    /** Spent on this step, all attempts (absent: none yet). */
    usedTokens: v.optional(v.number()),
    usedCostUsd: v.optional(v.number()),
  })
    .index("by_runId_stepId", ["runId", "stepId"])
    // The advance's reads: ready steps (pending, no readyAt, no open needs)
    // and gated waits in definition order, retries come due, running counts.
    .index("by_runId_state_readyAt_openNeeds_order", [
      "runId",
      "state",
      "readyAt",
      "openNeeds",
      "order",
    ])
    // Usage an agent reports on a step's task counts against the run.
    .index("by_taskId", ["taskId"])
    .index("by_state_deadlineAt", ["state", "deadlineAt"])
    .index("by_agentId_state", ["agentId", "state"])
    .index("by_projectId_state", ["projectId", "state"])
    .index("by_approvalId", ["approvalId"]),

  /**
   * One per run: the interpreter's bookkeeping, apart from the run document
   * so that its churn does not re-run the run's subscribers.
   */
  workflowAdvances: defineTable({
    runId: v.id("workflowRuns"),
    /**
     * When an advance was scheduled that has not run yet; absent when none
     * is. Completions arriving meanwhile rely on it instead of scheduling
     * their own (model/workflowRunAdvances.ts).
     */
    scheduledAt: v.optional(v.number()),
    /** The definition's `concurrency` (absent: no limit). */
    concurrency: v.optional(v.number()),
    /** How many steps are approval steps (they ignore the project limit). */
    approvalSteps: v.number(),
  }).index("by_runId", ["runId"]),

  workflowEvents: defineTable({
    runId: v.id("workflowRuns"),
    at: v.number(),
    /** e.g. run.started, step.started, step.waiting, step.failed, run.succeeded. */
    kind: v.string(),
    stepId: v.optional(v.string()),
    detail: v.string(),
  }).index("by_runId_at", ["runId", "at"]),
};
