/**
 * Workflow YAML -> WorkflowDefinition, or every problem found, each with the
 * line and column of the offending key or value. Never throws for bad input.
 *
 * Validation walks yaml's node tree (not the plain JS value) so each error
 * can point at its node; a first pass reads fields, a second checks what
 * needs the whole file: dependencies, cycles, and what conditions and
 * templates may read (run inputs, and only steps that finish before).
 */
import type { TrustLevel } from "../validators";
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
} from "yaml";
import { dependsOnTest, findCycles, type StepLinks } from "./workflowDag";
import {
  expressionReferences,
  parseExpression,
  parseTemplate,
  type ExprError,
  type PathExpr,
} from "./workflowExpr";
import {
  EXECUTORS,
  FAILURE_POLICIES,
  INPUT_NAME_PATTERN,
  NO_RETRIES,
  parseDuration,
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
  type WorkflowDefinition,
} from "./workflowSpec";

export type WorkflowError = {
  line: number;
  column: number;
  /** Where in the definition, e.g. `steps.review.needs[0]`; "" for syntax. */
  path: string;
  message: string;
};
export type ParseResult =
  | { ok: true; definition: WorkflowDefinition }
  | { ok: false; errors: WorkflowError[] };

const MAX_ERRORS = 100;
const MAX_ALIASES = 100;
const TOP_FIELDS = ["name", "description", "inputs", "concurrency", "steps"];
const INPUT_FIELDS = ["default", "description"];
const RETRY_FIELDS = ["max", "backoff", "factor"];
const COMMON_FIELDS = [
  "executor",
  "needs",
  "if",
  "with",
  "timeout",
  "on_failure",
];
const AGENT_FIELDS = ["agent", "prompt", "retries", "trust", "approval"];
const APPROVAL_FIELDS = ["summary"];
const STEP_FIELDS = [...COMMON_FIELDS, ...AGENT_FIELDS, ...APPROVAL_FIELDS];
const STEP_PARTS = ["status", "output", "error"];

type Entry = { key: string; keyNode: unknown; value: unknown; path: string };
/** A string that may hold templates, checked once all step ids are known. */
type TemplateSite = { node: unknown; path: string; value: string };
type StepDraft = {
  id: string;
  keyNode: unknown;
  path: string;
  needs: { id: string; node: unknown; path: string }[];
  condition?: { node: unknown; path: string; value: string };
  templates: TemplateSite[];
  step?: StepDefinition;
};

/** Offsets of a node: [start, end] into the source text. */
function rangeOf(node: unknown): [number, number] | null {
  if (typeof node !== "object" || node === null || !("range" in node)) {
    return null;
  }
  const range: unknown = node.range;
  if (!Array.isArray(range) || typeof range[0] !== "number") return null;
  return [range[0], typeof range[1] === "number" ? range[1] : range[0]];
}

function describe(node: unknown): string {
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    return node.value === null ? "empty" : JSON.stringify(node.value);
  }
  return "empty";
}

/** The closest candidate within a few edits, for "did you mean" hints. */
export function suggest(word: string, candidates: Iterable<string>): string {
  let best = "";
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === "" ? "" : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 4;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (current[j - 1] ?? 0) + 1,
        (previous[j] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Where offset `offset` of a string value is in its raw source (quotes,
 * block indentation...): the same occurrence of the text around it, or null
 * when escapes or folding hide it.
 */
function sourceOffset(
  raw: string,
  value: string,
  offset: number,
): number | null {
  const after = value.slice(offset, offset + 24).split("\n")[0] ?? "";
  const before =
    value
      .slice(Math.max(0, offset - 24), offset)
      .split("\n")
      .at(-1) ?? "";
  const [snippet, shift] = after === "" ? [before, before.length] : [after, 0];
  if (snippet === "") return null;
  let occurrence = 0;
  for (
    let i = value.indexOf(snippet);
    i !== -1 && i < offset - shift;
    i = value.indexOf(snippet, i + 1)
  ) {
    occurrence += 1;
  }
  let at = raw.indexOf(snippet);
  for (; at !== -1 && occurrence > 0; occurrence -= 1)
    at = raw.indexOf(snippet, at + 1);
  return at === -1 ? null : at + shift;
}

function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

class Checker {
  readonly errors: WorkflowError[] = [];
  private aliases = 0;

  constructor(
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  at(offset: number, path: string, message: string): void {
    const { line, col } = this.lines.linePos(offset);
    this.errors.push({ line, column: col, path, message });
  }

  error(
    node: unknown,
    path: string,
    message: string,
    fallback?: unknown,
  ): void {
    const range = rangeOf(node) ?? rangeOf(fallback);
    this.at(range?.[0] ?? 0, path, message);
  }

  /** Points into a string value: at `offset` in it when the source shows it verbatim. */
  errorInString(site: TemplateSite, offset: number, message: string): void {
    const range = rangeOf(site.node);
    const raw = range === null ? "" : this.text.slice(range[0], range[1]);
    const at = sourceOffset(raw, site.value, offset);
    this.at((range?.[0] ?? 0) + (at ?? 0), site.path, message);
  }

  /** Follows an alias to its anchor, within a budget (no "billion laughs"). */
  resolve(node: unknown, path: string): unknown {
    if (!isAlias(node)) return node;
    this.aliases += 1;
    if (this.aliases > MAX_ALIASES) {
      this.error(node, path, `more than ${MAX_ALIASES} aliases`);
      return null;
    }
    return node.resolve(this.doc) ?? null;
  }

  /** A map's entries, after reporting keys outside `allowed` (when given). */
  entries(
    node: unknown,
    path: string,
    allowed?: readonly string[],
  ): Entry[] | null {
    const map = this.resolve(node, path);
    if (!isMap(map)) {
      this.error(node, path, `must be a map, not ${describe(map)}`);
      return null;
    }
    const result: Entry[] = [];
    // Our own duplicate check: yaml's uniqueKeys is quadratic in a map's size.
    const seen = new Set<string>();
    for (const pair of map.items) {
      const keyNode = this.resolve(pair.key, path);
      const scalarKey = isScalar(keyNode) ? keyNode.value : undefined;
      if (!["string", "number", "boolean"].includes(typeof scalarKey)) {
        this.error(pair.key, path, "keys must be plain text", node);
        continue;
      }
      const key = String(scalarKey);
      const childPath = path === "" ? key : `${path}.${key}`;
      if (seen.has(key)) {
        this.error(pair.key, childPath, `duplicate key "${key}"`);
        continue;
      }
      seen.add(key);
      if (allowed !== undefined && !allowed.includes(key)) {
        this.error(
          pair.key,
          childPath,
          `unknown field "${key}"${suggest(key, allowed)}`,
        );
        continue;
      }
      result.push({
        key,
        keyNode: pair.key,
        value: pair.value,
        path: childPath,
      });
    }
    return result;
  }

  scalar(node: unknown, path: string, expected: string): unknown {
    const value = this.resolve(node, path);
    if (isScalar(value) && value.value !== null) return value.value;
    this.error(node, path, `must be ${expected}, not ${describe(value)}`);
    return undefined;
  }

  string(node: unknown, path: string, max: number): string | undefined {
    const value = this.scalar(node, path, "text");
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      this.error(node, path, `must be text, not ${describe(node)} (quote it)`);
      return undefined;
    }
    if (value.trim() === "")
      return void this.error(node, path, "must not be empty");
    if (value.length > max) {
      return void this.error(node, path, `must be at most ${max} characters`);
    }
    return value;
  }

  integer(
    node: unknown,
    path: string,
    min: number,
    max: number,
  ): number | undefined {
    const value = this.scalar(node, path, "a whole number");
    if (value === undefined) return undefined;
    if (
      typeof value !== "number" ||
      !Number.isInteger(value) ||
      value < min ||
      value > max
    ) {
      return void this.error(
        node,
        path,
        `must be a whole number from ${min} to ${max}`,
      );
    }
    return value;
  }

  oneOf<T extends string>(
    node: unknown,
    path: string,
    options: readonly T[],
  ): T | undefined {
    const value = this.scalar(node, path, `one of ${options.join(", ")}`);
    const match = options.find((option) => option === value);
    if (match === undefined && value !== undefined) {
      const hint = typeof value === "string" ? suggest(value, options) : "";
      this.error(node, path, `must be one of ${options.join(", ")}${hint}`);
    }
    return match;
  }

  duration(
    node: unknown,
    path: string,
    min: number,
    max: number,
  ): number | undefined {
    const value = this.scalar(node, path, "a duration");
    if (value === undefined) return undefined;
    const ms =
      typeof value === "string" || typeof value === "number"
        ? parseDuration(value)
        : null;
    if (ms === null) {
      return void this.error(
        node,
        path,
        "must be a duration like 30s, 10m or 2h, or milliseconds",
      );
    }
    if (ms < min || ms > max) {
      const range = `from ${formatDuration(min)} to ${formatDuration(max)}`;
      return void this.error(node, path, `must be ${range}`);
    }
    return ms;
  }

  /** A JSON value with Convex-safe keys; strings go to `onString`. */
  json(
    node: unknown,
    path: string,
    onString?: (site: TemplateSite) => void,
    depth = 0,
  ): JsonValue | undefined {
    const value = this.resolve(node, path);
    if (depth > LIMITS.valueDepth) {
      return void this.error(
        node,
        path,
        `nested deeper than ${LIMITS.valueDepth} levels`,
      );
    }
    if (isSeq(value)) {
      const items = value.items.map((item, i) =>
        this.json(item, `${path}[${i}]`, onString, depth + 1),
      );
      return items.every((item) => item !== undefined) ? items : undefined;
    }
    if (isMap(value)) {
      const result: Record<string, JsonValue> = {};
      let valid = true;
      for (const entry of this.entries(value, path) ?? []) {
        if (entry.key.startsWith("$") || /[^\x20-\x7e]/.test(entry.key)) {
          this.error(
            entry.keyNode,
            entry.path,
            'keys must be plain ASCII and not start with "$"',
          );
        }
        const item = this.json(entry.value, entry.path, onString, depth + 1);
        if (item === undefined) valid = false;
        else result[entry.key] = item;
      }
      return valid ? result : undefined;
    }
    const scalar = isScalar(value) ? value.value : null;
    if (typeof scalar === "string") onString?.({ node, path, value: scalar });
    if (
      scalar === null ||
      typeof scalar === "string" ||
      typeof scalar === "boolean"
    )
      return scalar;
    if (typeof scalar === "number" && Number.isFinite(scalar)) return scalar;
    return void this.error(
      node,
      path,
      "unsupported value: use text, numbers, true or false, null, lists and maps",
    );
  }

  /** `json`, bounded in size. */
  boundedJson(
    node: unknown,
    path: string,
    onString?: (site: TemplateSite) => void,
  ): JsonValue | undefined {
    const value = this.json(node, path, onString);
    if (
      value !== undefined &&
      JSON.stringify(value).length > LIMITS.valueLength
    ) {
      return void this.error(
        node,
        path,
        `must be at most ${LIMITS.valueLength} characters as JSON`,
      );
    }
    return value;
  }
}

function readInputs(
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
function readRetries(
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

function readNeeds(
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

function readCondition(
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

type StepFields = {
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

function readWith(
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

function readField(
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
function readStep(check: Checker, draft: StepDraft, node: unknown): void {
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

function buildStep(
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

function readSteps(check: Checker, node: unknown, path: string): StepDraft[] {
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

type Scope = {
  draft: StepDraft;
  ids: ReadonlySet<string>;
  inputs: Record<string, InputDefinition>;
  /** Null when the graph has a cycle (already reported). */
  dependsOn: ((stepId: string, dependencyId: string) => boolean) | null;
};

/** Checks one path an expression reads against what the step may see. */
function checkPath(
  check: Checker,
  scope: Scope,
  site: TemplateSite,
  ref: PathExpr,
): void {
  const [root = "", name, part, ...rest] = ref.segments;
  const report = (message: string): void =>
    check.errorInString(site, ref.start, message);
  if (root === "inputs") {
    if (name === undefined)
      return report('"inputs" needs an input name, e.g. inputs.topic');
    if (!Object.hasOwn(scope.inputs, name)) {
      return report(
        `unknown input "${name}"${suggest(name, Object.keys(scope.inputs))}`,
      );
    }
    return;
  }
  if (root !== "steps") {
    return report(
      `unknown name "${root}"${suggest(root, ["inputs", "steps"])}: expressions read inputs.<name> and steps.<id>.status, .output or .error`,
    );
  }
  if (name === undefined)
    return report('"steps" needs a step id, e.g. steps.build.status');
  if (!scope.ids.has(name))
    return report(`unknown step "${name}"${suggest(name, scope.ids)}`);
  if (name === scope.draft.id)
    return report("a step cannot read its own status or output");
  if (part === undefined || !STEP_PARTS.includes(part)) {
    return report(
      `steps.${name} has status, output and error, not ${part === undefined ? "nothing" : `"${part}"`}`,
    );
  }
  if (part !== "output" && rest.length > 0)
    return report(`steps.${name}.${part} has no fields`);
  if (scope.dependsOn !== null && !scope.dependsOn(scope.draft.id, name)) {
    report(
      `step "${name}" may not have finished: add it to needs (directly or through another step)`,
    );
  }
}

/** The paths a condition or template reads, or its syntax error. */
function pathsOf(
  site: TemplateSite,
  kind: "condition" | "template",
): PathExpr[] | ExprError {
  if (kind === "condition") {
    const parsed = parseExpression(site.value);
    return parsed.ok ? expressionReferences(parsed.expr) : parsed.error;
  }
  const parsed = parseTemplate(site.value);
  if (!parsed.ok) return parsed.error;
  return parsed.parts.flatMap((part) =>
    part.kind === "expr" ? expressionReferences(part.expr) : [],
  );
}

function checkExpressions(check: Checker, scope: Scope): void {
  const { condition, templates } = scope.draft;
  const sites = [
    ...(condition === undefined
      ? []
      : [{ site: condition, kind: "condition" as const }]),
    ...templates
      .filter((site) => site.value.includes("{{"))
      .map((site) => ({ site, kind: "template" as const })),
  ];
  for (const { site, kind } of sites) {
    const paths = pathsOf(site, kind);
    if (!Array.isArray(paths)) {
      const message = `invalid ${kind}: ${paths.message}`;
      check.errorInString(site, paths.offset, message);
      continue;
    }
    for (const ref of paths) checkPath(check, scope, site, ref);
  }
}

/** What needs every step: dependencies, cycles, then what expressions read. */
function checkGraph(
  check: Checker,
  drafts: StepDraft[],
  inputs: Record<string, InputDefinition>,
  stepsNode: unknown,
): void {
  const ids = new Set(drafts.map((draft) => draft.id));
  let total = 0;
  const links: StepLinks[] = drafts.map((draft) => {
    const needs: string[] = [];
    for (const need of draft.needs) {
      if (need.id === draft.id)
        check.error(need.node, need.path, "a step cannot need itself");
      else if (!ids.has(need.id))
        check.error(
          need.node,
          need.path,
          `unknown step "${need.id}"${suggest(need.id, ids)}`,
        );
      else needs.push(need.id);
    }
    total += needs.length;
    return { id: draft.id, needs };
  });
  if (total > LIMITS.dependencies) {
    check.error(
      stepsNode,
      "steps",
      `at most ${LIMITS.dependencies} dependencies in all, not ${total}`,
    );
  }
  const cycles = findCycles({ steps: links });
  for (const cycle of cycles) {
    const draft = drafts.find((candidate) => candidate.id === cycle[0]);
    const need = draft?.needs.find((candidate) => candidate.id === cycle[1]);
    check.error(
      need?.node,
      need?.path ?? draft?.path ?? "steps",
      `dependency cycle: ${cycle.join(" -> ")} (each step needs the next)`,
      draft?.keyNode,
    );
  }
  const dependsOn =
    cycles.length === 0 ? dependsOnTest({ steps: links }) : null;
  for (const draft of drafts)
    checkExpressions(check, { draft, ids, inputs, dependsOn });
}

function syntaxErrors(lines: LineCounter, doc: Document): WorkflowError[] {
  return [...doc.errors, ...doc.warnings].map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { line, column: col, path: "", message: error.message };
  });
}

function sorted(errors: readonly WorkflowError[]): WorkflowError[] {
  const seen = new Set<string>();
  const unique = errors.filter((error) => {
    const key = `${error.line}:${error.column}:${error.path}:${error.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  if (unique.length <= MAX_ERRORS) return unique;
  const [next] = unique.slice(MAX_ERRORS);
  const more = {
    ...(next ?? unique[0]!),
    path: "",
    message: `and ${unique.length - MAX_ERRORS} more errors`,
  };
  return [...unique.slice(0, MAX_ERRORS), more];
}

/** Parses and checks a workflow definition. Never throws for bad input. */
export function parseWorkflow(text: string): ParseResult {
  if (text.length > LIMITS.sourceLength) {
    const message = `the definition is longer than ${LIMITS.sourceLength} characters`;
    return { ok: false, errors: [{ line: 1, column: 1, path: "", message }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const yamlErrors = syntaxErrors(lines, doc);
  if (yamlErrors.length > 0) return { ok: false, errors: sorted(yamlErrors) };
  const check = new Checker(text, lines, doc);
  if (doc.contents === null) {
    return {
      ok: false,
      errors: [
        { line: 1, column: 1, path: "", message: "the definition is empty" },
      ],
    };
  }
  if (!isMap(doc.contents)) {
    const message = `the definition must be a map of fields, not ${describe(doc.contents)}`;
    return { ok: false, errors: [{ line: 1, column: 1, path: "", message }] };
  }
  const entries = check.entries(doc.contents, "", TOP_FIELDS) ?? [];
  const field = (key: string): Entry | undefined =>
    entries.find((entry) => entry.key === key);
  for (const key of ["name", "steps"].filter(
    (name) => field(name) === undefined,
  )) {
    check.error(doc.contents, key, `needs "${key}"`);
  }
  const nameEntry = field("name");
  const name =
    nameEntry && check.string(nameEntry.value, "name", LIMITS.nameLength);
  const descriptionEntry = field("description");
  const description =
    descriptionEntry &&
    check.string(
      descriptionEntry.value,
      "description",
      LIMITS.descriptionLength,
    );
  const concurrencyEntry = field("concurrency");
  const concurrency =
    concurrencyEntry &&
    check.integer(concurrencyEntry.value, "concurrency", 1, LIMITS.concurrency);
  const inputsEntry = field("inputs");
  const inputs =
    inputsEntry === undefined ? {} : readInputs(check, inputsEntry.value);
  const stepsEntry = field("steps");
  const drafts =
    stepsEntry === undefined ? [] : readSteps(check, stepsEntry.value, "steps");
  checkGraph(check, drafts, inputs, stepsEntry?.value);
  const steps = drafts.flatMap((draft) =>
    draft.step === undefined ? [] : [draft.step],
  );
  if (
    check.errors.length > 0 ||
    name === undefined ||
    steps.length !== drafts.length
  ) {
    return { ok: false, errors: sorted(check.errors) };
  }
  return {
    ok: true,
    definition: {
      name,
      ...(description === undefined ? {} : { description }),
      inputs,
      ...(concurrency === undefined ? {} : { concurrency }),
      steps,
    },
  };
}

/** One line per error, in source order: "line 12, column 5: path: message". */
export function formatErrors(errors: readonly WorkflowError[]): string {
  return [...errors]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map(
      (error) =>
        `line ${error.line}, column ${error.column}: ${error.path === "" ? "" : `${error.path}: `}${error.message}`,
    )
    .join("\n");
}
