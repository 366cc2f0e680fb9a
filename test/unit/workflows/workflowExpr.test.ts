/** The `if` and `{{ }}` language of workflows (convex/model/workflowExpr.ts). */
import { describe, expect, test } from "vitest";
import {
  evaluate,
  evaluateCondition,
  expressionReferences,
  parseExpression,
  parseTemplate,
  renderTemplate,
  templateReferences,
  type ExprContext,
} from "../../../convex/model/workflowExpr";

const context: ExprContext = {
  inputs: { topic: "weekly", limit: 10, empty: "", flags: { dry: true } },
  steps: {
    gather: {
      status: "succeeded",
      output: { count: 3, title: "v1.2", items: ["a", "b"], ok: true },
    },
    "lint-all": { status: "failed", error: "exit 1" },
    review: { status: "skipped" },
  },
};

function run(text: string): unknown {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return evaluate(parsed.expr, context);
}

describe("parsing", () => {
  test("literals, paths and precedence", () => {
    const parsed = parseExpression("!a.b || c == 'x' && d < -1.5e2");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.expr).toMatchObject({
      kind: "binary",
      op: "||",
      left: { kind: "not", operand: { kind: "path", segments: ["a", "b"] } },
      right: {
        kind: "binary",
        op: "&&",
        left: { op: "==", right: { kind: "literal", value: "x" } },
        right: { op: "<", right: { kind: "literal", value: -150 } },
      },
    });
  });

  test("step ids with dashes and numeric segments are paths", () => {
    const parsed = parseExpression("steps.lint-all.output.items.0");
    expect(parsed.ok && parsed.expr).toMatchObject({
      kind: "path",
      segments: ["steps", "lint-all", "output", "items", "0"],
      start: 0,
      end: 29,
    });
  });

  test.each([
    ["", "expected a value, found end of expression", 0],
    ["a ==", "expected a value, found end of expression", 4],
    ["'open", "unterminated string", 0],
    ["a == 'x\\q'", "unknown escape in string", 7],
    ["(a", 'expected ")"', 2],
    ["a b", 'unexpected "b"', 2],
    ["a = 1", 'unexpected "= 1" (compare with "==")', 2],
    ["a.", 'expected a name after "."', 2],
    ["a + 1", 'unexpected "+ 1"', 2],
    [
      "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
      "expression nested too deeply",
      33,
    ],
  ])("%j fails: %s at %d", (text, message, offset) => {
    expect(parseExpression(text)).toEqual({
      ok: false,
      error: { message, offset },
    });
  });

  test("references list every path in source order", () => {
    const parsed = parseExpression(
      "inputs.a == steps.b.status || !steps.c.output.x",
    );
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(
      expressionReferences(parsed.expr).map((ref) => ref.segments),
    ).toEqual([
      ["inputs", "a"],
      ["steps", "b", "status"],
      ["steps", "c", "output", "x"],
    ]);
  });
});

describe("evaluation", () => {
  test.each([
    ["steps.gather.status == 'succeeded'", true],
    ["steps.gather.output.count > 0 && steps.gather.output.ok", true],
    ["steps.lint-all.status != 'succeeded'", true],
    ["steps.lint-all.error", "exit 1"],
    ["steps.gather.output.items.1", "b"],
    ["steps.gather.output.items", ["a", "b"]],
    ["inputs.limit >= 10 && inputs.limit <= 10", true],
    ["'abc' < 'abd'", true],
    ["inputs.flags.dry == true", true],
    ["inputs.flags == inputs.flags", true],
    ["steps.gather.output.items == steps.gather.output.items", true],
    ["!(1 == 1) || false", false],
    ["null == null", true],
  ])("%s -> %j", (text, expected) => {
    expect(run(text)).toEqual(expected);
  });

  test("missing paths are null", () => {
    expect(run("inputs.nope")).toBeNull();
    expect(run("steps.review.output.count")).toBeNull();
    expect(run("steps.gather.output.count.deeper")).toBeNull();
    expect(run("steps.unknown.status")).toBeNull();
    expect(run("steps.review.output.count > 0")).toBe(false);
  });

  test("no prototype is reachable", () => {
    expect(run("inputs.constructor")).toBeNull();
    expect(run("inputs.__proto__")).toBeNull();
    expect(run("inputs.topic.length")).toBeNull();
    expect(run("steps.gather.output.items.length")).toBeNull();
  });

  test("mismatched comparisons are false (and != is true)", () => {
    expect(run("inputs.limit == '10'")).toBe(false);
    expect(run("inputs.limit != '10'")).toBe(true);
    expect(run("inputs.limit < '11'")).toBe(false);
    expect(run("inputs.limit >= '1'")).toBe(false);
    expect(run("null < 1")).toBe(false);
    expect(run("true > false")).toBe(false);
  });

  test("&&, || and ! use truthiness and yield booleans", () => {
    expect(run("inputs.topic && inputs.limit")).toBe(true);
    expect(run("inputs.empty || 0")).toBe(false);
    expect(run("!inputs.empty")).toBe(true);
    expect(run("!steps.gather.output.items")).toBe(false);
  });

  test("conditions are truthy checks; stored garbage is a bug", () => {
    expect(evaluateCondition("steps.gather.output.count", context)).toBe(true);
    expect(evaluateCondition("inputs.empty", context)).toBe(false);
    expect(() => evaluateCondition("a ==", context)).toThrow(
      /Invalid stored condition/,
    );
  });
});

describe("templates", () => {
  test("a lone template keeps the value's type", () => {
    expect(renderTemplate("{{ steps.gather.output.count }}", context)).toBe(3);
    expect(renderTemplate("{{steps.gather.output.items}}", context)).toEqual([
      "a",
      "b",
    ]);
    expect(renderTemplate("{{ inputs.missing }}", context)).toBeNull();
  });

  test("interpolation writes non-strings as JSON", () => {
    expect(
      renderTemplate(
        "PRs for {{ inputs.topic }}: {{ steps.gather.output.count }} {{ steps.gather.output.items }} {{ inputs.missing }}",
        context,
      ),
    ).toBe('PRs for weekly: 3 ["a","b"] null');
  });

  test("objects and arrays render recursively; keys are left alone", () => {
    expect(
      renderTemplate(
        {
          "{{ inputs.topic }}": "{{ inputs.topic }}",
          list: [
            "{{ inputs.limit }}",
            1,
            null,
            { deep: "n={{ inputs.limit }}" },
          ],
          ok: "{{ steps.gather.status == 'succeeded' }}",
        },
        context,
      ),
    ).toEqual({
      "{{ inputs.topic }}": "weekly",
      list: [10, 1, null, { deep: "n=10" }],
      ok: true,
    });
  });

  test("a literal {{ is written as a string expression", () => {
    expect(renderTemplate("use {{ '{{' }} name }}", context)).toBe(
      "use {{ name }}",
    );
    expect(renderTemplate("no templates } here }}", context)).toBe(
      "no templates } here }}",
    );
  });

  test("malformed templates are errors with offsets, and render verbatim", () => {
    expect(parseTemplate("hi {{ inputs.topic }")).toEqual({
      ok: false,
      error: { message: 'expected "}}"', offset: 19 },
    });
    expect(parseTemplate("{{ }}")).toEqual({
      ok: false,
      error: { message: 'expected a value, found "}"', offset: 3 },
    });
    expect(renderTemplate("hi {{ inputs.topic }", context)).toBe(
      "hi {{ inputs.topic }",
    );
  });

  test("references come from every string, with offsets inside it", () => {
    const refs = templateReferences({
      a: "x {{ inputs.topic }} {{ steps.b.output.y == 1 }}",
      b: ["{{ steps.c.status }}", 3],
      c: "{{ broken",
    });
    expect(refs.map((ref) => [ref.segments.join("."), ref.start])).toEqual([
      ["inputs.topic", 5],
      ["steps.b.output.y", 24],
      ["steps.c.status", 3],
    ]);
  });
});
