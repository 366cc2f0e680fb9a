/**
 * Turns the query JSON that convex/server sends (`1.0/queryStream`,
 * `1.0/queryPage`) into a plan over one index: the key interval to scan, the
 * order, the filters and the limit; and walks that interval one key at a time
 * so writes made while iterating (inside a mutation) cannot break the walk.
 */
import { jsonToConvex, type JSONValue, type Value } from "convex/values";
import { fail } from "./errors";
import type { Index } from "./database";
import { compareKeys, TOP, type Key } from "./keys";

export type RangeExpression = {
  type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte";
  fieldPath: string;
  value: JSONValue;
};

export type SerializedQuery = {
  source:
    | { type: "FullTableScan"; tableName: string; order: "asc" | "desc" | null }
    | {
        type: "IndexRange";
        indexName: string;
        range: RangeExpression[];
        order: "asc" | "desc" | null;
      }
    | { type: "Search"; indexName: string; filters: unknown[] };
  operators: ({ filter: JSONValue } | { limit: number })[];
};

/** Keys in [start, end) are in range; `end` null means unbounded above. */
export type Interval = { start: Key; end: Key | null };

export type Plan = {
  table: string;
  index: string;
  interval: Interval;
  order: "asc" | "desc";
  filters: JSONValue[];
  limit: number | null;
};

/** `{ $undefined: null }` is how convex/server sends `undefined` in ranges and literals. */
export function decodeMaybeUndefined(json: JSONValue): Value | undefined {
  if (
    typeof json === "object" &&
    json !== null &&
    !Array.isArray(json) &&
    Object.keys(json).length === 1 &&
    "$undefined" in json
  ) {
    return undefined;
  }
  return jsonToConvex(json);
}

export function planQuery(
  query: SerializedQuery,
  indexOf: (table: string, index: string) => Index,
): Plan {
  const { source } = query;
  if (source.type === "Search") {
    return fail(
      "Search indexes are not supported by the Switchboard local backend.",
    );
  }
  const filters: JSONValue[] = [];
  let limit: number | null = null;
  for (const operator of query.operators) {
    if ("filter" in operator) filters.push(operator.filter);
    else
      limit = limit === null ? operator.limit : Math.min(limit, operator.limit);
  }
  if (source.type === "FullTableScan") {
    return {
      table: source.tableName,
      index: "by_creation_time",
      interval: { start: [], end: null },
      order: source.order ?? "asc",
      filters,
      limit,
    };
  }
  const dot = source.indexName.indexOf(".");
  const table = source.indexName.slice(0, dot);
  const indexName = source.indexName.slice(dot + 1);
  const index = indexOf(table, indexName);
  return {
    table,
    index: indexName,
    interval: intervalOf(source.indexName, index.def.fields, source.range),
    order: source.order ?? "asc",
    filters,
    limit,
  };
}

/**
 * Equalities on a prefix of the index fields, then at most one lower and one
 * upper bound on the next field: the shape the index range builder produces.
 */
function intervalOf(
  indexName: string,
  fields: readonly string[],
  range: readonly RangeExpression[],
): Interval {
  const prefix: (Value | undefined)[] = [];
  let lower: { value: Value | undefined; inclusive: boolean } | null = null;
  let upper: { value: Value | undefined; inclusive: boolean } | null = null;
  let boundField: string | null = null;
  for (const expression of range) {
    const value = decodeMaybeUndefined(expression.value);
    if (expression.type === "Eq") {
      const expected = fields[prefix.length];
      if (boundField !== null || expression.fieldPath !== expected) {
        fail(
          `Index range on ${indexName}: expected a condition on "${expected}" but got "${expression.fieldPath}". ` +
            "Conditions must follow the index's field order.",
        );
      }
      prefix.push(value);
      continue;
    }
    const expected = fields[prefix.length];
    if (
      expression.fieldPath !== expected ||
      (boundField !== null && boundField !== expected)
    ) {
      fail(
        `Index range on ${indexName}: a bound on "${expression.fieldPath}" must be on "${expected}", the field after the equalities.`,
      );
    }
    boundField = expression.fieldPath;
    const inclusive = expression.type === "Gte" || expression.type === "Lte";
    if (expression.type === "Gt" || expression.type === "Gte") {
      if (lower !== null)
        fail(`Index range on ${indexName}: two lower bounds.`);
      lower = { value, inclusive };
    } else {
      if (upper !== null)
        fail(`Index range on ${indexName}: two upper bounds.`);
      upper = { value, inclusive };
    }
  }
  const start: Key =
    lower === null
      ? prefix
      : lower.inclusive
        ? [...prefix, lower.value]
        : [...prefix, lower.value, TOP];
  const end: Key | null =
    upper === null
      ? prefix.length === 0
        ? null
        : [...prefix, TOP]
      : upper.inclusive
        ? [...prefix, upper.value, TOP]
        : [...prefix, upper.value];
  return { start, end };
}

export function inInterval(key: Key, interval: Interval): boolean {
  return (
    compareKeys(key, interval.start) >= 0 &&
    (interval.end === null || compareKeys(key, interval.end) < 0)
  );
}

/**
 * The next key after `last` (or the first, if `last` is null) inside the
 * interval, in the given order; null when the walk is over.
 */
export function nextKey(
  index: Index,
  interval: Interval,
  order: "asc" | "desc",
  last: Key | null,
): [Key, string] | null {
  const tree = index.tree;
  let pair: [Key, string] | undefined;
  if (order === "asc") {
    pair =
      last === null
        ? tree.getPairOrNextHigher(interval.start)
        : tree.nextHigherPair(last);
    if (pair === undefined) return null;
    if (interval.end !== null && compareKeys(pair[0], interval.end) >= 0)
      return null;
  } else {
    pair =
      last === null
        ? interval.end === null
          ? tree.nextLowerPair(undefined)
          : tree.nextLowerPair(interval.end)
        : tree.nextLowerPair(last);
    if (pair === undefined) return null;
    if (compareKeys(pair[0], interval.start) < 0) return null;
  }
  return [pair[0], pair[1]];
}
