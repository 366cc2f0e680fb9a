/**
 * The pieces every workflow YAML check uses: error type, field lists, node
 * positions, suggestions, and the Checker that collects positioned errors.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Document,
} from "yaml";
import {
  parseDuration,
  WORKFLOW_LIMITS as LIMITS,
  type JsonValue,
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

export const MAX_ERRORS = 100;
export const MAX_ALIASES = 100;
export const TOP_FIELDS = [
  "name",
  "description",
  "inputs",
  "concurrency",
  "steps",
];
export const INPUT_FIELDS = ["default", "description"];
export const RETRY_FIELDS = ["max", "backoff", "factor"];
export const COMMON_FIELDS = [
  "executor",
  "needs",
  "if",
  "with",
  "timeout",
  "on_failure",
];
export const AGENT_FIELDS = ["agent", "prompt", "retries", "trust", "approval"];
export const APPROVAL_FIELDS = ["summary"];
export const STEP_FIELDS = [
  ...COMMON_FIELDS,
  ...AGENT_FIELDS,
  ...APPROVAL_FIELDS,
];
export const STEP_PARTS = ["status", "output", "error"];

export type Entry = {
  key: string;
  keyNode: unknown;
  value: unknown;
  path: string;
};
/** A string that may hold templates, checked once all step ids are known. */
export type TemplateSite = { node: unknown; path: string; value: string };
export type StepDraft = {
  id: string;
  keyNode: unknown;
  path: string;
  needs: { id: string; node: unknown; path: string }[];
  condition?: { node: unknown; path: string; value: string };
  templates: TemplateSite[];
  step?: StepDefinition;
};

/** Offsets of a node: [start, end] into the source text. */
export function rangeOf(node: unknown): [number, number] | null {
  if (typeof node !== "object" || node === null || !("range" in node)) {
    return null;
  }
  const range: unknown = node.range;
  if (!Array.isArray(range) || typeof range[0] !== "number") return null;
  return [range[0], typeof range[1] === "number" ? range[1] : range[0]];
}

export function describe(node: unknown): string {
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

export function editDistance(a: string, b: string): number {
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
export function sourceOffset(
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

export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`;
}

export class Checker {
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
