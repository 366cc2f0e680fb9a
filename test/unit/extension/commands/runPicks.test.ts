/** What the workflow commands offer and accept, without VS Code. */
import { describe, expect, test } from "vitest";
import {
  declaredInputs,
  failedStepPickItems,
  inputsPrompt,
  latestWorkflows,
  parseRunInputs,
  runPickItems,
  runRefFromArg,
  stepRefFromArg,
  type WorkflowSummary,
} from "../../../../extension/commands/runPicks";
import { graphStep, loose, NOW, stepRow, workflowRun } from "../views/fixtures";

const version = (name: string, v: number): WorkflowSummary =>
  loose<WorkflowSummary>({
    _id: `${name}-${v}`,
    name,
    version: v,
    createdBy: "u1",
    createdAt: NOW,
  });

describe("workflows to start", () => {
  test("one entry per name, its newest version, by name", () => {
    const latest = latestWorkflows([
      version("release", 1),
      version("nightly", 2),
      version("release", 3),
      version("release", 2),
      version("nightly", 1),
    ]);
    expect(latest.map((w) => `${w.name} v${w.version}`)).toEqual([
      "nightly v2",
      "release v3",
    ]);
  });
});

describe("run inputs", () => {
  const definition = JSON.stringify({
    name: "release",
    inputs: {
      branch: { description: "what to ship" },
      dryRun: { default: false },
    },
    steps: [],
  });
  const declared = declaredInputs(definition);

  test("declared inputs: required when they have no default", () => {
    expect(declared).toEqual([
      { name: "branch", required: true, description: "what to ship" },
      { name: "dryRun", required: false },
    ]);
    expect(declaredInputs(JSON.stringify({ steps: [] }))).toEqual([]);
  });

  test("the prompt names what is required and what has defaults", () => {
    expect(inputsPrompt(declared)).toBe(
      'A JSON object, e.g. {"branch": "…"}. Required: branch. Optional (have defaults): dryRun.',
    );
    expect(inputsPrompt([{ name: "env", required: false }])).toMatch(
      /Leave empty to use the defaults\.$/,
    );
  });

  test("a valid object passes through with its flat values", () => {
    expect(
      parseRunInputs('{"branch": "main", "dryRun": true}', declared),
    ).toEqual({ ok: true, inputs: { branch: "main", dryRun: true } });
  });

  test("empty is a skip only when nothing is required", () => {
    expect(parseRunInputs("  ", declared)).toEqual({
      ok: false,
      message: "Required: branch.",
    });
    expect(parseRunInputs("", [{ name: "env", required: false }])).toEqual({
      ok: true,
      inputs: undefined,
    });
  });

  test("refusals say what is wrong", () => {
    const message = (text: string) => {
      const parsed = parseRunInputs(text, declared);
      return parsed.ok ? "ok" : parsed.message;
    };
    expect(message("{branch: main}")).toMatch(/^Not valid JSON/);
    expect(message('["main"]')).toBe("Give the inputs as one JSON object.");
    expect(message('{"branch": "main", "env": "prod"}')).toBe(
      'Unknown input "env"; declared: branch, dryRun.',
    );
    expect(message('{"branch": {"name": "main"}}')).toBe(
      '"branch" must be a string, number, boolean or null.',
    );
    expect(message('{"dryRun": true}')).toBe("Missing: branch.");
  });
});

describe("runs and steps to pick", () => {
  test("run items: name vN, status and age, spend", () => {
    const [item] = runPickItems(
      [workflowRun({ _id: "run1", usedTokens: 1500 })],
      NOW,
    );
    expect(item).toMatchObject({
      label: "release v3",
      description: "running · started 5 min ago",
      detail: "1.5k tokens",
    });
  });

  test("failed steps only, with their errors", () => {
    const items = failedStepPickItems({
      steps: [
        stepRow("build", { state: "succeeded" }),
        stepRow("deploy", { state: "failed", error: "exit 1" }),
      ],
    });
    expect(items).toEqual([
      { label: "deploy", description: "exit 1", stepId: "deploy" },
    ]);
  });

  test("a run or step from a tree element or plain ids", () => {
    const run = workflowRun({ _id: "run1" });
    expect(runRefFromArg({ kind: "run", run })).toEqual({
      runId: "run1",
      run,
    });
    expect(runRefFromArg({ runId: "run7" })).toEqual({ runId: "run7" });
    expect(runRefFromArg({ runId: "" })).toBeUndefined();
    expect(runRefFromArg(undefined)).toBeUndefined();

    const stepNode = {
      kind: "runStep",
      run,
      step: graphStep("deploy"),
      row: undefined,
    };
    expect(stepRefFromArg(stepNode)).toEqual({
      runId: "run1",
      stepId: "deploy",
    });
    expect(stepRefFromArg({ runId: "run7", stepId: "x" })).toEqual({
      runId: "run7",
      stepId: "x",
    });
    // A run alone names no step.
    expect(stepRefFromArg({ kind: "run", run })).toBeUndefined();
  });
});
