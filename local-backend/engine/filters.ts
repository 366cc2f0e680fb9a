/**
 * Evaluates `.filter()` expressions (the JSON built by convex/server's
 * filter_builder_impl.ts) against a document.
 */
import type { JSONValue, Value } from "convex/values";
import { fail } from "./errors";
import { decodeMaybeUndefined } from "./queryPlan";
import { getFieldPath } from "./schema";
import { compareValues } from "./values";

type Operand = Value | undefined;

export function matchesFilter(
  doc: Record<string, Value>,
  expression: JSONValue,
): boolean {
  return evaluate(doc, expression) === true;
}

function evaluate(doc: Record<string, Value>, expression: JSONValue): Operand {
  if (
    typeof expression !== "object" ||
    expression === null ||
    Array.isArray(expression)
  ) {
    return fail(`Invalid filter expression: ${JSON.stringify(expression)}`);
  }
  const [operator, ...rest] = Object.keys(expression);
  if (operator === undefined || rest.length > 0) {
    return fail(`Invalid filter expression: ${JSON.stringify(expression)}`);
  }
  const operand = expression[operator]!;
  switch (operator) {
    case "$field":
      if (typeof operand !== "string")
        return fail("$field needs a field path.");
      return getFieldPath(doc, operand);
    case "$literal":
      return decodeMaybeUndefined(operand);
    case "$eq":
      return compare(doc, operand, (order) => order === 0);
    case "$neq":
      return compare(doc, operand, (order) => order !== 0);
    case "$lt":
      return compare(doc, operand, (order) => order < 0);
    case "$lte":
      return compare(doc, operand, (order) => order <= 0);
    case "$gt":
      return compare(doc, operand, (order) => order > 0);
    case "$gte":
      return compare(doc, operand, (order) => order >= 0);
    case "$and":
      return list(operand).every((item) => evaluate(doc, item) === true);
    case "$or":
      return list(operand).some((item) => evaluate(doc, item) === true);
    case "$not":
      return evaluate(doc, operand) !== true;
    case "$neg":
      return negate(evaluate(doc, operand));
    case "$add":
    case "$sub":
    case "$mul":
    case "$div":
    case "$mod":
      return arithmetic(operator, ...pair(doc, operand));
    default:
      return fail(`Unknown filter operator ${operator}.`);
  }
}

function list(operand: JSONValue): JSONValue[] {
  if (!Array.isArray(operand))
    fail("Invalid filter expression: expected a list.");
  return operand;
}

function pair(
  doc: Record<string, Value>,
  operand: JSONValue,
): [Operand, Operand] {
  const [left, right] = list(operand);
  if (left === undefined || right === undefined)
    fail("Invalid filter expression: two operands expected.");
  return [evaluate(doc, left), evaluate(doc, right)];
}

function compare(
  doc: Record<string, Value>,
  operand: JSONValue,
  test: (order: number) => boolean,
): boolean {
  const [left, right] = pair(doc, operand);
  return test(compareValues(left, right));
}

function negate(value: Operand): Operand {
  if (typeof value === "number") return -value;
  if (typeof value === "bigint") return -value;
  return fail("q.neg() needs a number.");
}

function arithmetic(operator: string, left: Operand, right: Operand): Operand {
  if (typeof left === "number" && typeof right === "number") {
    if (operator === "$add") return left + right;
    if (operator === "$sub") return left - right;
    if (operator === "$mul") return left * right;
    if (operator === "$div") return left / right;
    return left % right;
  }
  if (typeof left === "bigint" && typeof right === "bigint") {
    if (operator === "$add") return left + right;
    if (operator === "$sub") return left - right;
    if (operator === "$mul") return left * right;
    if (right === 0n) fail("Division by zero in a filter.");
    if (operator === "$div") return left / right;
    return left % right;
  }
  return fail(
    `Arithmetic in filters needs two numbers of the same kind (${operator}).`,
  );
}
