/** Workflow YAML parsing and its line-numbered errors (convex/model/workflowYaml.ts). */
import { describe, expect, test } from "vitest";
import { layers } from "../../../convex/model/workflowDag";
import { WORKFLOW_LIMITS } from "../../../convex/model/workflowSpec";
import {
  formatErrors,
  parseWorkflow,
} from "../../../convex/model/workflowYaml";

const RELEASE_NOTES = `# Gather merged PRs, let a person approve, then write and announce.
name: Release notes
description: Drafts and publishes the weekly release notes.
inputs:
  topic: { default: weekly }
  repo: { description: "owner/name of the repository" }
concurrency: 3
steps:
  gather:
    executor: external
    agent: researcher
    prompt: "Collect merged PRs for {{ inputs.topic }} in {{ inputs.repo }}"
    with: { repo: "{{ inputs.repo }}", limit: 50 }
    timeout: 10m
    retries: { max: 2, backoff: 30s, factor: 2 }
  review:
    executor: approval
    needs: gather
    if: "steps.gather.status == 'succeeded' && steps.gather.output.count > 0"
    summary: "Publish {{ steps.gather.output.title }}?"
    with: { prs: "{{ steps.gather.output.prs }}" }
  publish:
    executor: native
    agent: writer
    needs: [review]
    prompt: |
      Write release notes for {{ inputs.topic }} from these PRs:
      {{ steps.gather.output.prs }}
    trust: trusted
    approval: true
    on_failure: continue
  announce:
    executor: external
    agent: announcer
    needs: [publish]
    if: "steps.publish.status == 'succeeded'"
    prompt: "Post {{ steps.publish.output.url }} to #releases"
    on_failure: skip_dependents
    timeout: 90s
`;

/** Lines joined, so each test shows the line numbers it asserts. */
const yaml = (...lines: string[]): string => `${lines.join("\n")}\n`;
const HEAD = ["name: Test", "steps:"];

function errorsOf(text: string): string[] {
  const result = parseWorkflow(text);
  if (result.ok) throw new Error("expected errors");
  return formatErrors(result.errors).split("\n");
}

describe("a good definition", () => {
  test("normalizes fields and fills defaults", () => {
    const result = parseWorkflow(RELEASE_NOTES);
    if (!result.ok) throw new Error(formatErrors(result.errors));
    const { definition } = result;
    expect(definition).toMatchObject({
      name: "Release notes",
      concurrency: 3,
      inputs: {
        topic: { default: "weekly" },
        repo: { description: "owner/name of the repository" },
      },
    });
    expect(definition.steps.map((step) => step.id)).toEqual([
      "gather",
      "review",
      "publish",
      "announce",
    ]);
    const [gather, review, publish, announce] = definition.steps;
    expect(gather).toEqual({
      id: "gather",
      executor: "external",
      agent: "researcher",
      prompt: "Collect merged PRs for {{ inputs.topic }} in {{ inputs.repo }}",
      needs: [],
      with: { repo: "{{ inputs.repo }}", limit: 50 },
      timeoutMs: 600_000,
      retries: { max: 2, backoffMs: 30_000, factor: 2 },
      onFailure: "fail_run",
      trust: "standard",
      approval: false,
    });
    expect(review).toMatchObject({
      executor: "approval",
      needs: ["gather"],
      condition:
        "steps.gather.status == 'succeeded' && steps.gather.output.count > 0",
      timeoutMs: 24 * 3_600_000,
      retries: { max: 0 },
    });
    expect(publish).toMatchObject({
      trust: "trusted",
      approval: true,
      onFailure: "continue",
      timeoutMs: 1_800_000,
    });
    expect(publish).not.toHaveProperty("condition");
    expect(announce).toMatchObject({
      onFailure: "skip_dependents",
      timeoutMs: 90_000,
    });
    expect(layers(definition)).toEqual([
      ["gather"],
      ["review"],
      ["publish"],
      ["announce"],
    ]);
  });

  test("shorthands: retries as a number, durations as ms or compound, null collections", () => {
    const result = parseWorkflow(
      yaml(
        ...HEAD,
        "  a:",
        "    executor: approval",
        "    summary: ok",
        "    timeout: 1h30m",
        "    needs:",
        "    with:",
        "  b:",
        "    executor: native",
        "    agent: x",
        "    prompt: go",
        "    retries: 3",
        "    timeout: 5000",
        "    if: false",
      ),
    );
    if (!result.ok) throw new Error(formatErrors(result.errors));
    expect(result.definition.steps[0]).toMatchObject({
      timeoutMs: 5_400_000,
      needs: [],
      with: {},
    });
    expect(result.definition.steps[1]).toMatchObject({
      retries: { max: 3, backoffMs: 10_000, factor: 2 },
      timeoutMs: 5_000,
      condition: "false",
    });
  });

  test("anchors and aliases are followed; values stay JSON", () => {
    const result = parseWorkflow(
      yaml(
        ...HEAD,
        "  a:",
        "    executor: native",
        "    agent: x",
        "    prompt: go",
        "    retries: &r { max: 1 }",
        "    with: &w { list: [1, 'two', null, true], nested: { ok: yes } }",
        "  b:",
        "    executor: native",
        "    agent: x",
        "    prompt: go",
        "    retries: *r",
        "    with: *w",
      ),
    );
    if (!result.ok) throw new Error(formatErrors(result.errors));
    expect(result.definition.steps[1]).toMatchObject({
      retries: { max: 1 },
      with: { list: [1, "two", null, true], nested: { ok: "yes" } },
    });
  });
});

describe("syntax errors", () => {
  test("YAML errors carry their line and column", () => {
    expect(errorsOf(yaml(...HEAD, "  a: [1, 2", "  b: x"))[0]).toMatch(
      /^line 4, column 3: Flow sequence/,
    );
    expect(errorsOf("name: x\n\tsteps: {}\n")[0]).toBe(
      "line 2, column 1: Tabs are not allowed as indentation",
    );
  });

  test("duplicate keys are errors", () => {
    expect(
      errorsOf(
        yaml(
          ...HEAD,
          "  a:",
          "    executor: approval",
          "    summary: one",
          "    summary: two",
          "  a: {}",
        ),
      ),
    ).toEqual([
      'line 6, column 5: steps.a.summary: duplicate key "summary"',
      'line 7, column 3: steps.a: duplicate key "a"',
    ]);
  });

  test("the document must be a map", () => {
    expect(errorsOf("- a\n- b\n")).toEqual([
      "line 1, column 1: the definition must be a map of fields, not a list",
    ]);
  });

  test.each([
    "",
    "# only a comment\n",
    "[]",
    "42",
    "- a\n- b\n",
    "steps: 3",
    ":",
    "{{",
    "name: x\n---\nname: y\n",
  ])("never throws: %j", (text) => {
    const result = parseWorkflow(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
  });
});

describe("field errors", () => {
  test("unknown fields are named, with a suggestion", () => {
    expect(
      errorsOf(
        yaml(
          "name: Test",
          "descripton: x",
          "steps:",
          "  a:",
          "    executor: approval",
          "    summary: ok",
          "    need: [b]",
        ),
      ),
    ).toEqual([
      'line 2, column 1: descripton: unknown field "descripton" (did you mean "description"?)',
      'line 7, column 5: steps.a.need: unknown field "need" (did you mean "needs"?)',
    ]);
  });

  test("required fields, per executor", () => {
    expect(
      errorsOf(
        yaml(
          "description: no name",
          "steps:",
          "  a:",
          "    prompt: hi",
          "  b:",
          "    executor: external",
          "  c:",
          "    executor: approval",
        ),
      ),
    ).toEqual([
      'line 1, column 1: name: needs "name"',
      'line 3, column 3: steps.a: needs "executor" (external, native or approval)',
      'line 5, column 3: steps.b: external steps need "agent"',
      'line 5, column 3: steps.b: external steps need "prompt"',
      'line 7, column 3: steps.c: approval steps need "summary"',
    ]);
  });

  test("fields of the other executor are refused", () => {
    expect(
      errorsOf(
        yaml(
          ...HEAD,
          "  a:",
          "    executor: approval",
          "    summary: ok",
          "    agent: x",
          "    retries: 2",
          "  b:",
          "    executor: native",
          "    agent: x",
          "    prompt: go",
          "    summary: nope",
        ),
      ),
    ).toEqual([
      'line 6, column 5: steps.a.agent: "agent" does not apply to approval steps',
      'line 7, column 5: steps.a.retries: "retries" does not apply to approval steps',
      'line 12, column 5: steps.b.summary: "summary" does not apply to native steps',
    ]);
  });

  test("bad values point at the value", () => {
    expect(
      errorsOf(
        yaml(
          "name: 42",
          "concurrency: 0",
          ...HEAD.slice(1),
          "  Bad_Id:",
          "    executor: agnt",
          "    summary: x",
          "  b:",
          "    executor: native",
          "    agent: ''",
          "    prompt: go",
          "    timeout: soon",
          "    on_failure: retry",
          "    trust: admin",
          "    approval: maybe",
          "    retries: { backoff: 2h }",
          "    with: [1]",
        ),
      ),
    ).toEqual([
      "line 1, column 7: name: must be text, not 42 (quote it)",
      "line 2, column 14: concurrency: must be a whole number from 1 to 100",
      'line 4, column 3: steps.Bad_Id: invalid step id "Bad_Id": use lowercase letters, digits, "_" and "-", starting with a letter (at most 40 characters)',
      "line 5, column 15: steps.Bad_Id.executor: must be one of external, native, approval",
      "line 9, column 12: steps.b.agent: must not be empty",
      "line 11, column 14: steps.b.timeout: must be a duration like 30s, 10m or 2h, or milliseconds",
      "line 12, column 17: steps.b.on_failure: must be one of fail_run, continue, skip_dependents",
      "line 13, column 12: steps.b.trust: must be one of untrusted, standard, trusted",
      "line 14, column 15: steps.b.approval: must be true or false",
      'line 15, column 14: steps.b.retries: needs "max" (how many retries)',
      "line 15, column 25: steps.b.retries.backoff: must be from 0s to 1h",
      "line 16, column 11: steps.b.with: must be a map, not a list",
    ]);
  });

  test("inputs: names, fields and values", () => {
    expect(
      errorsOf(
        yaml(
          "name: Test",
          "inputs:",
          "  9lives: {}",
          "  topic: { defualt: x }",
          "  ok: { default: { $bad: 1 } }",
          "  big: { default: !!binary aGk= }",
          ...HEAD.slice(1),
          "  a: { executor: approval, summary: x }",
        ),
      ),
    ).toEqual([
      'line 3, column 3: inputs.9lives: invalid input name "9lives": use letters, digits, "_" and "-", starting with a letter or "_" (at most 40 characters)',
      'line 4, column 12: inputs.topic.defualt: unknown field "defualt" (did you mean "default"?)',
      'line 5, column 20: inputs.ok.default.$bad: keys must be plain ASCII and not start with "$"',
      "line 6, column 28: inputs.big.default: unsupported value: use text, numbers, true or false, null, lists and maps",
    ]);
  });
});

describe("dependencies", () => {
  test("unknown and self dependencies", () => {
    expect(
      errorsOf(
        yaml(
          ...HEAD,
          "  gather: { executor: approval, summary: x }",
          "  review:",
          "    executor: approval",
          "    summary: ok",
          "    needs: [gathr, review]",
        ),
      ),
    ).toEqual([
      'line 7, column 13: steps.review.needs[0]: unknown step "gathr" (did you mean "gather"?)',
      "line 7, column 20: steps.review.needs[1]: a step cannot need itself",
    ]);
  });

  test("cycles are named, at the first step's need", () => {
    expect(
      errorsOf(
        yaml(
          ...HEAD,
          "  a:",
          "    executor: approval",
          "    summary: x",
          "    needs: [b]",
          "  b:",
          "    executor: approval",
          "    summary: x",
          "    needs: c",
          "  c:",
          "    executor: approval",
          "    summary: x",
          "    needs: [a]",
        ),
      ),
    ).toEqual([
      "line 6, column 13: steps.a.needs[0]: dependency cycle: a -> b -> c -> a (each step needs the next)",
    ]);
  });
});

describe("conditions and templates", () => {
  const base = [
    ...HEAD.slice(0, 1),
    "inputs:",
    "  topic: {}",
    "steps:",
    "  gather: { executor: approval, summary: x }",
    "  other: { executor: approval, summary: x }",
    "  review:",
    "    executor: approval",
    "    needs: [gather]",
  ];

  test("syntax errors point inside the expression", () => {
    expect(
      errorsOf(
        yaml(
          ...base,
          "    if: \"steps.gather.status = 'ok'\"",
          "    summary: ok",
        ),
      ),
    ).toEqual([
      'line 10, column 30: steps.review.if: invalid condition: unexpected "= \'ok\'" (compare with "==")',
    ]);
    expect(
      errorsOf(yaml(...base, "    summary: 'Publish {{ inputs.topic }?'")),
    ).toEqual([
      'line 10, column 39: steps.review.summary: invalid template: expected "}}"',
    ]);
    expect(
      errorsOf(
        yaml(...base, "    if: steps.gather.status ==", "    summary: ok"),
      ),
    ).toEqual([
      "line 10, column 31: steps.review.if: invalid condition: expected a value, found end of expression",
    ]);
  });

  test("the same mistake twice is reported twice, each where it is", () => {
    expect(
      errorsOf(
        yaml(...base, '    summary: "{{ inputs.topik }}, {{ inputs.topik }}"'),
      ),
    ).toEqual([
      'line 10, column 18: steps.review.summary: unknown input "topik" (did you mean "topic"?)',
      'line 10, column 38: steps.review.summary: unknown input "topik" (did you mean "topic"?)',
    ]);
  });

  test("references must name inputs and steps that finish first", () => {
    expect(
      errorsOf(
        yaml(
          ...base,
          "    if: steps.gathr.status == 'x' || steps.other.status == 'x' || steps.review.status",
          "    summary: '{{ input.topic }} {{ inputs.topik }} {{ steps.gather.outputs }} {{ steps.gather.status.x }}'",
        ),
      ),
    ).toEqual([
      'line 10, column 9: steps.review.if: unknown step "gathr" (did you mean "gather"?)',
      'line 10, column 38: steps.review.if: step "other" may not have finished: add it to needs (directly or through another step)',
      "line 10, column 67: steps.review.if: a step cannot read its own status or output",
      'line 11, column 18: steps.review.summary: unknown name "input" (did you mean "inputs"?): expressions read inputs.<name> and steps.<id>.status, .output or .error',
      'line 11, column 36: steps.review.summary: unknown input "topik" (did you mean "topic"?)',
      'line 11, column 55: steps.review.summary: steps.gather has status, output and error, not "outputs"',
      "line 11, column 82: steps.review.summary: steps.gather.status has no fields",
    ]);
  });

  test("transitive dependencies may be read; templates in with are checked where they are", () => {
    const text = yaml(
      ...base,
      "    summary: ok",
      "  publish:",
      "    executor: native",
      "    agent: w",
      "    needs: [review]",
      "    prompt: |",
      "      Use {{ steps.gather.output.prs }}",
      "      and {{ steps.other.output }}",
      "    with:",
      "      nested: { list: [1, '{{ steps.review.output.x }}', '{{ inputs.nope }}'] }",
    );
    expect(errorsOf(text)).toEqual([
      'line 17, column 14: steps.publish.prompt: step "other" may not have finished: add it to needs (directly or through another step)',
      'line 19, column 62: steps.publish.with.nested.list[2]: unknown input "nope"',
    ]);
  });
});

/** `steps` layers of `width`; each step needs every step of the layer before. */
function generate(count: number, width: number): string {
  const lines = ["name: Generated", "steps:"];
  for (let i = 0; i < count; i += 1) {
    const layer = Math.floor(i / width);
    lines.push(
      `  s${i}:`,
      "    executor: external",
      "    agent: worker",
      `    prompt: "Part ${i}"`,
    );
    if (layer > 0) {
      const first = (layer - 1) * width;
      const previous = Array.from({ length: width }, (_, k) => `s${first + k}`);
      lines.push(
        `    needs: [${previous.join(", ")}]`,
        `    if: "steps.s${first}.status == 'succeeded'"`,
      );
    }
  }
  return yaml(...lines);
}

describe("limits", () => {
  test("1,000 steps in layers of 50 parse and layer", () => {
    const result = parseWorkflow(generate(1_000, 50));
    if (!result.ok) throw new Error(formatErrors(result.errors));
    const byLayer = layers(result.definition);
    expect(byLayer).toHaveLength(20);
    expect(byLayer.map((layer) => layer.length)).toEqual(
      Array.from({ length: 20 }, () => 50),
    );
  });

  test("more steps than the limit", () => {
    expect(WORKFLOW_LIMITS.steps).toBeGreaterThanOrEqual(2_000);
    expect(errorsOf(generate(WORKFLOW_LIMITS.steps + 1, 1))).toEqual([
      `line 3, column 3: steps: at most ${WORKFLOW_LIMITS.steps} steps, not ${WORKFLOW_LIMITS.steps + 1}`,
    ]);
  });

  test("bounds on text, durations and retries", () => {
    expect(
      errorsOf(
        yaml(
          `name: ${"n".repeat(101)}`,
          "steps:",
          "  a:",
          "    executor: native",
          "    agent: x",
          "    prompt: go",
          "    timeout: 25h",
          "    retries: { max: 11, factor: 0.5 }",
        ),
      ),
    ).toEqual([
      "line 1, column 7: name: must be at most 100 characters",
      "line 7, column 14: steps.a.timeout: must be from 1s to 24h",
      "line 8, column 21: steps.a.retries.max: must be a whole number from 0 to 10",
      "line 8, column 33: steps.a.retries.factor: must be a number from 1 to 10",
    ]);
    const long = parseWorkflow(" ".repeat(WORKFLOW_LIMITS.sourceLength + 1));
    expect(long.ok === false && long.errors[0]?.message).toMatch(/longer than/);
  });

  test("too many errors are capped, the rest counted", () => {
    const lines = [...HEAD];
    for (let i = 0; i < 150; i += 1)
      lines.push(`  s${i}: { executor: approval }`);
    const result = parseWorkflow(yaml(...lines));
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(101);
    expect(result.errors.at(-1)?.message).toBe("and 50 more errors");
  });
});

describe("formatErrors", () => {
  test("one line per error, in source order", () => {
    expect(
      formatErrors([
        { line: 9, column: 1, path: "steps.b", message: "second" },
        { line: 2, column: 5, path: "", message: "first" },
      ]),
    ).toBe("line 2, column 5: first\nline 9, column 1: steps.b: second");
  });
});
