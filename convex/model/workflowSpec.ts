/**
 * Workflow definitions: the typed, normalized form of a workflow YAML file
 * (parsed and checked by workflowYaml.ts), its limits, and the small pure
 * helpers the run interpreter needs (durations, retry delays, run inputs).
 *
 * A definition is plain data (no functions, no `undefined` fields), so it can
 * be stored in a Convex document as is. Durations are milliseconds.
 */
import type { TrustLevel } from "../validators";
import { fail } from "./errors";

/** What YAML values become: JSON, which Convex can store. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Who runs a step. The names match `agents.kind` ("external": an agent that
 * works through the MCP server; "native": an agent the deployment runs
 * itself), so the interpreter can compare a step with the agent it names.
 */
export const EXECUTORS = ["external", "native", "approval"] as const;
export type Executor = (typeof EXECUTORS)[number];
export type AgentExecutor = Exclude<Executor, "approval">;

/**
 * What a step's final failure (after its retries) does to the run:
 * fail_run stops the run; continue lets dependents run (they can read
 * `steps.<id>.status`); skip_dependents skips every transitive dependent.
 */
export const FAILURE_POLICIES = [
  "fail_run",
  "continue",
  "skip_dependents",
] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];

/** Lowest first: an agent may run a step requiring its level or below. */
export const TRUST_LEVELS = [
  "untrusted",
  "standard",
  "trusted",
] as const satisfies readonly TrustLevel[];

export type RetryPolicy = {
  /** Retries after the first attempt; 0 means none. */
  max: number;
  /** Delay before the first retry. */
  backoffMs: number;
  /** Each further retry waits `factor` times longer, up to maxBackoffMs. */
  factor: number;
};

type StepBase = {
  /** The step's key in `steps`. */
  id: string;
  /** Step ids that must finish first, de-duplicated, in written order. */
  needs: string[];
  /** The `if` expression (workflowExpr.ts); absent means always run. */
  condition?: string;
  /** Inputs for the step; strings may hold `{{ ... }}` templates. */
  with: Record<string, JsonValue>;
  timeoutMs: number;
  retries: RetryPolicy;
  onFailure: FailurePolicy;
};

export type AgentStepDefinition = StepBase & {
  executor: AgentExecutor;
  /** The agent's name, as registered in the org. */
  agent: string;
  /** Instructions; may hold templates. */
  prompt: string;
  /** The lowest trust level an agent needs to run the step. */
  trust: TrustLevel;
  /** A person must approve before the step starts. */
  approval: boolean;
};

export type ApprovalStepDefinition = StepBase & {
  executor: "approval";
  /** What the person is asked; may hold templates. */
  summary: string;
};

export type StepDefinition = AgentStepDefinition | ApprovalStepDefinition;

export type InputDefinition = {
  /** Absent: the input is required when a run starts. */
  default?: JsonValue;
  description?: string;
};

export type WorkflowDefinition = {
  name: string;
  description?: string;
  inputs: Record<string, InputDefinition>;
  /** Most steps of one run in "running" at once; absent means no limit. */
  concurrency?: number;
  /** In the order written, which is also the tie-break order everywhere. */
  steps: StepDefinition[];
};

export const STEP_ID_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
export const INPUT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/;

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export const WORKFLOW_LIMITS = {
  /** YAML characters; also keeps the source storable as one Convex string. */
  sourceLength: 1_000_000,
  nameLength: 100,
  descriptionLength: 5_000,
  /** A benchmark runs 1,000 steps; leave room above it. */
  steps: 2_000,
  needsPerStep: 250,
  /** Sum of all `needs` lists: bounds the graph work per validation. */
  dependencies: 100_000,
  inputs: 50,
  agentNameLength: 60,
  promptLength: 20_000,
  summaryLength: 500,
  expressionLength: 1_000,
  /** Characters of one step's `with` (or one input default) as JSON. */
  valueLength: 50_000,
  /** Nesting of `with` values and defaults; Convex caps document depth. */
  valueDepth: 8,
  retries: 10,
  retryFactor: 10,
  concurrency: 100,
  timeoutMinMs: SECOND,
  timeoutMaxMs: 24 * HOUR,
  backoffMaxMs: HOUR,
} as const;

export const WORKFLOW_DEFAULTS = {
  timeoutMs: 30 * MINUTE,
  /** A person is slower than an agent; matches the approvals' default TTL. */
  approvalTimeoutMs: 24 * HOUR,
  backoffMs: 10 * SECOND,
  factor: 2,
  onFailure: "fail_run",
  trust: "standard",
} as const satisfies {
  timeoutMs: number;
  approvalTimeoutMs: number;
  backoffMs: number;
  factor: number;
  onFailure: FailurePolicy;
  trust: TrustLevel;
};

export const NO_RETRIES: RetryPolicy = {
  max: 0,
  backoffMs: WORKFLOW_DEFAULTS.backoffMs,
  factor: WORKFLOW_DEFAULTS.factor,
};

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: 24 * HOUR,
};
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * "30s", "10m", "2h", "1h30m", "500ms", or a number of milliseconds.
 * Returns null for anything else (the caller words the error).
 */
export function parseDuration(value: string | number): number | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? value : null;
  }
  const text = value.trim();
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/** The wait before retry number `retry` (1 for the first retry). */
export function retryDelayMs(policy: RetryPolicy, retry: number): number {
  const delay = policy.backoffMs * policy.factor ** Math.max(0, retry - 1);
  return Math.min(delay, WORKFLOW_LIMITS.backoffMaxMs);
}

/** Whether an agent of `level` may run a step that requires `required`. */
export function trustAllows(level: TrustLevel, required: TrustLevel): boolean {
  return TRUST_LEVELS.indexOf(level) >= TRUST_LEVELS.indexOf(required);
}

/**
 * The inputs a run starts with: the provided values over the defaults.
 * Unknown names are refused so that a typo does not silently fall back to a
 * default.
 */
export function resolveRunInputs(
  definition: Pick<WorkflowDefinition, "inputs">,
  provided: Record<string, JsonValue>,
): Record<string, JsonValue> {
  const unknown = Object.keys(provided).filter(
    (name) => !Object.hasOwn(definition.inputs, name),
  );
  if (unknown.length > 0) {
    fail(
      "INVALID_ARGUMENT",
      `Unknown workflow inputs: ${unknown.join(", ")}. Declared: ${Object.keys(definition.inputs).join(", ") || "none"}.`,
    );
  }
  const resolved: Record<string, JsonValue> = {};
  const missing: string[] = [];
  for (const [name, input] of Object.entries(definition.inputs)) {
    if (Object.hasOwn(provided, name)) resolved[name] = provided[name] ?? null;
    else if (input.default !== undefined) resolved[name] = input.default;
    else missing.push(name);
  }
  if (missing.length > 0) {
    fail("INVALID_ARGUMENT", `Missing workflow inputs: ${missing.join(", ")}.`);
  }
  return resolved;
}
