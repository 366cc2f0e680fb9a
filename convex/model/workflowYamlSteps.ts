/**
 * Reading one workflow's inputs and steps from yaml nodes into drafts, with
 * an error for every field that is wrong, unknown or missing.
 */
import type { TrustLevel } from "../validators";
import { isMap, isScalar, isSeq } from "yaml";
import {
  EXECUTORS,
  FAILURE_POLICIES,
  INPUT_NAME_PATTERN,
  NO_RETRIES,
  STEP_ID_PATTERN,
  TRUST_LEVELS,
  WORKFLOW_DEFAULTS,
  WORKFLOW_LIMITS as LIMITS,
  type Executor,
  type FailurePolicy,
  type InputDefinition,
  type JsonValue,
  type RetryPolicy,
  type StepDefinition,
} from "./workflowSpec";

import {
  AGENT_FIELDS,
  APPROVAL_FIELDS,
  COMMON_FIELDS,
  Checker,
  Entry,
  INPUT_FIELDS,
  RETRY_FIELDS,
  STEP_FIELDS,
  StepDraft,
  describe,
} from "./workflowYamlCheck";

export function readInputs(
  check: Checker,
  node: unknown,
): Record<string, InputDefinition> {
  const inputs: Record<string, InputDefinition> = {};
  if (isScalar(node) && node.value === null) return inputs;
  const entries = check.entries(node, "inputs") ?? [];
  if (entries.length > LIMITS.inputs) {
    check.error(node, "inputs", `at most ${LIMITS.inputs} inputs`);
  }
  for (const entry of entries) {
    if (!INPUT_NAME_PATTERN.test(entry.key)) {
      check.error(
        entry.keyNode,
        entry.path,
        `invalid input name "${entry.key}": use letters, digits, "_" and "-", starting with a letter or "_" (at most 40 characters)`,
      );
      continue;
    }
    const input: InputDefinition = {};
    const value = check.resolve(entry.value, entry.path);
    if (!(isScalar(value) && value.value === null)) {
      for (const field of check.entries(value, entry.path, INPUT_FIELDS) ??
        []) {
        if (field.key === "description") {
          const text = check.string(
            field.value,
            field.path,
            LIMITS.descriptionLength,
          );
          if (text !== undefined) input.description = text;
        } else {
          const fallback = check.boundedJson(field.value, field.path);
          if (fallback !== undefined) input.default = fallback;
        }
      }
    }
    inputs[entry.key] = input;
  }
  return inputs;
}

/** `retries: 2`, or `{ max, backoff, factor }` with defaults for the last two. */
export function readRetries(
  check: Checker,
  node: unknown,
  path: string,
): RetryPolicy | undefined {
  const value = check.resolve(node, path);
  if (isScalar(value)) {
    const max = check.integer(value, path, 0, LIMITS.retries);
    return max === undefined ? undefined : { ...NO_RETRIES, max };
  }
  const entries = check.entries(value, path, RETRY_FIELDS);
  if (entries === null) return undefined;
  if (!entries.some((entry) => entry.key === "max")) {
    check.error(node, path, 'needs "max" (how many retries)');
  }
  const policy: Partial<RetryPolicy> = { ...NO_RETRIES, max: undefined };
  for (const { key, value: field, path: fieldPath } of entries) {
    if (key === "max") {
      policy.max = check.integer(field, fieldPath, 0, LIMITS.retries);
    } else if (key === "backoff") {
      policy.backoffMs = check.duration(
        field,
        fieldPath,
        0,
        LIMITS.backoffMaxMs,
      );
    } else {
      const factor = check.scalar(field, fieldPath, "a number");
      const valid =
        typeof factor === "number" &&
        factor >= 1 &&
        factor <= LIMITS.retryFactor;
      policy.factor = valid ? factor : undefined;
      if (!valid && factor !== undefined) {
        check.error(
          field,
          fieldPath,
          `must be a number from 1 to ${LIMITS.retryFactor}`,
        );
      }
    }
  }
  const { max, backoffMs, factor } = policy;
  if (max === undefined || backoffMs === undefined || factor === undefined) {
    return undefined;
  }
  return { max, backoffMs, factor };
}

export function readNeeds(
  check: Checker,
  node: unknown,
  path: string,
  draft: StepDraft,
): void {
  const value = check.resolve(node, path);
  if (isScalar(value) && value.value === null) return;
  const items = isSeq(value)
    ? value.items.map((item, i) => ({ item, itemPath: `${path}[${i}]` }))
    : [{ item: node, itemPath: path }];
  if (items.length > LIMITS.needsPerStep) {
    check.error(
      node,
      path,
      `at most ${LIMITS.needsPerStep} dependencies per step`,
    );
  }
  // Repeats are dropped, not reported: they change nothing.
  const seen = new Set(draft.needs.map((need) => need.id));
  for (const { item, itemPath } of items) {
    const id = check.string(item, itemPath, 100);
    if (id !== undefined && !seen.has(id)) {
      seen.add(id);
      draft.needs.push({ id, node: item, path: itemPath });
    }
  }
}

export function readCondition(
  check: Checker,
  node: unknown,
  path: string,
  draft: StepDraft,
): void {
  const raw = check.scalar(node, path, "an expression");
  if (raw === undefined) return;
  if (typeof raw !== "string" && typeof raw !== "boolean") {
    return check.error(
      node,
      path,
      `must be an expression, not ${describe(node)}`,
    );
  }
  const value = String(raw);
  if (value.length > LIMITS.expressionLength) {
    return check.error(
      node,
      path,
      `must be at most ${LIMITS.expressionLength} characters`,
    );
  }
  draft.condition = { node, path, value };
}

export type StepFields = {
  with?: Record<string, JsonValue>;
  timeoutMs?: number;
  retries?: RetryPolicy;
  onFailure?: FailurePolicy;
  agent?: string;
  prompt?: string;
  trust?: TrustLevel;
  approval?: boolean;
  summary?: string;
};

export function readWith(
  check: Checker,
  node: unknown,
  path: string,
  draft: StepDraft,
): Record<string, JsonValue> | undefined {
  const value = check.resolve(node, path);
  if (isScalar(value) && value.value === null) return {};
  if (!isMap(value))
    return void check.error(
      node,
      path,
      `must be a map, not ${describe(value)}`,
    );
  const json = check.boundedJson(node, path, (site) =>
    draft.templates.push(site),
  );
  return typeof json === "object" && json !== null && !Array.isArray(json)
    ? json
    : undefined;
}

export function readField(
  check: Checker,
  entry: Entry,
  draft: StepDraft,
  fields: StepFields,
): void {
  const { key, value, path } = entry;
  if (key === "needs") readNeeds(check, value, path, draft);
  else if (key === "if") readCondition(check, value, path, draft);
  else if (key === "with") fields.with = readWith(check, value, path, draft);
  else if (key === "timeout")
    fields.timeoutMs = check.duration(
      value,
      path,
      LIMITS.timeoutMinMs,
      LIMITS.timeoutMaxMs,
    );
  else if (key === "retries") fields.retries = readRetries(check, value, path);
  else if (key === "on_failure")
    fields.onFailure = check.oneOf(value, path, FAILURE_POLICIES);
  else if (key === "agent")
    fields.agent = check.string(value, path, LIMITS.agentNameLength);
  else if (key === "trust")
    fields.trust = check.oneOf(value, path, TRUST_LEVELS);
  else if (key === "approval") {
    const flag = check.scalar(value, path, "true or false");
    if (typeof flag === "boolean") fields.approval = flag;
    else if (flag !== undefined)
      check.error(value, path, "must be true or false");
  } else if (key === "prompt" || key === "summary") {
    const text = check.string(
      value,
      path,
      key === "prompt" ? LIMITS.promptLength : LIMITS.summaryLength,
    );
    if (text !== undefined)
      draft.templates.push({ node: value, path, value: text });
    fields[key] = text;
  }
}

/** Reads a step; executor-specific fields are checked against its executor. */
export function readStep(
  check: Checker,
  draft: StepDraft,
  node: unknown,
): void {
  const before = check.errors.length;
  const entries = check.entries(node, draft.path, STEP_FIELDS);
  if (entries === null) return;
  const executorEntry = entries.find((entry) => entry.key === "executor");
  if (executorEntry === undefined) {
    check.error(
      draft.keyNode,
      draft.path,
      'needs "executor" (external, native or approval)',
    );
  }
  const executor =
    executorEntry &&
    check.oneOf(executorEntry.value, executorEntry.path, EXECUTORS);
  const fields: StepFields = {};
  for (const entry of entries) {
    const applies =
      COMMON_FIELDS.includes(entry.key) ||
      (executor === "approval" ? APPROVAL_FIELDS : AGENT_FIELDS).includes(
        entry.key,
      );
    if (executor !== undefined && !applies) {
      check.error(
        entry.keyNode,
        entry.path,
        `"${entry.key}" does not apply to ${executor} steps`,
      );
    } else if (entry.key !== "executor") {
      readField(check, entry, draft, fields);
    }
  }
  if (executor === undefined) return;
  const required = executor === "approval" ? ["summary"] : ["agent", "prompt"];
  for (const key of required.filter(
    (name) => !entries.some((entry) => entry.key === name),
  )) {
    check.error(draft.keyNode, draft.path, `${executor} steps need "${key}"`);
  }
  if (check.errors.length === before)
    draft.step = buildStep(draft, executor, fields);
}

export function buildStep(
  draft: StepDraft,
  executor: Executor,
  fields: StepFields,
): StepDefinition {
  const base = {
    id: draft.id,
    needs: draft.needs.map((need) => need.id),
    ...(draft.condition === undefined
      ? {}
      : { condition: draft.condition.value }),
    with: fields.with ?? {},
    onFailure: fields.onFailure ?? WORKFLOW_DEFAULTS.onFailure,
  };
  if (executor === "approval") {
    return {
      ...base,
      executor,
      summary: fields.summary ?? "",
      timeoutMs: fields.timeoutMs ?? WORKFLOW_DEFAULTS.approvalTimeoutMs,
      retries: { ...NO_RETRIES },
    };
  }
  return {
    ...base,
    executor,
    agent: fields.agent ?? "",
    prompt: fields.prompt ?? "",
    trust: fields.trust ?? WORKFLOW_DEFAULTS.trust,
    approval: fields.approval ?? false,
    timeoutMs: fields.timeoutMs ?? WORKFLOW_DEFAULTS.timeoutMs,
    retries: fields.retries ?? { ...NO_RETRIES },
  };
}

export function readSteps(
  check: Checker,
  node: unknown,
  path: string,
): StepDraft[] {
  const entries = check.entries(node, path) ?? [];
  if (entries.length === 0) check.error(node, path, "needs at least one step");
  if (entries.length > LIMITS.steps) {
    check.error(
      node,
      path,
      `at most ${LIMITS.steps} steps, not ${entries.length}`,
    );
  }
  return entries.map((entry) => {
    if (!STEP_ID_PATTERN.test(entry.key)) {
      check.error(
        entry.keyNode,
        entry.path,
        `invalid step id "${entry.key}": use lowercase letters, digits, "_" and "-", starting with a letter (at most 40 characters)`,
      );
    }
    const draft: StepDraft = {
      id: entry.key,
      keyNode: entry.keyNode,
      path: entry.path,
      needs: [],
      templates: [],
    };
    readStep(check, draft, entry.value);
    return draft;
  });
}
