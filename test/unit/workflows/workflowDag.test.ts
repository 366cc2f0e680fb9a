/** Layers, cycles and ready-step semantics of workflow runs (convex/model/workflowDag.ts). */
import { describe, expect, test } from "vitest";
import {
  dependsOnTest,
  findCycles,
  freeSlots,
  layers,
  readySteps,
  runStatus,
  stepsToSkip,
  type StepState,
} from "../../../convex/model/workflowDag";
import { evaluateCondition } from "../../../convex/model/workflowExpr";
import {
  NO_RETRIES,
  type FailurePolicy,
  type StepDefinition,
  type WorkflowDefinition,
} from "../../../convex/model/workflowSpec";

function step(
  id: string,
  needs: string[] = [],
  extra: { onFailure?: FailurePolicy; condition?: string } = {},
): StepDefinition {
  return {
    id,
    needs,
    executor: "approval",
    summary: `Approve ${id}?`,
    with: {},
    timeoutMs: 60_000,
    retries: NO_RETRIES,
    onFailure: extra.onFailure ?? "fail_run",
    ...(extra.condition === undefined ? {} : { condition: extra.condition }),
  };
}

function workflow(
  steps: StepDefinition[],
  concurrency?: number,
): WorkflowDefinition {
  return {
    name: "test",
    inputs: {},
    steps,
    ...(concurrency === undefined ? {} : { concurrency }),
  };
}

// a -> b, a -> c, (b, c) -> d, e alone; written out of order on purpose.
const diamond = workflow([
  step("d", ["b", "c"]),
  step("c", ["a"], { onFailure: "skip_dependents" }),
  step("e"),
  step("b", ["a"], { onFailure: "continue" }),
  step("a"),
]);

describe("layers", () => {
  test("by depth, written order within a layer", () => {
    expect(layers(diamond)).toEqual([["e", "a"], ["c", "b"], ["d"]]);
  });

  test("a step sits one layer below its deepest dependency", () => {
    const steps = [step("a"), step("b", ["a"]), step("c", ["a", "b"])];
    expect(layers(workflow(steps))).toEqual([["a"], ["b"], ["c"]]);
  });

  test("1,000 steps in layers of 50, each needing the whole layer before", () => {
    const steps: StepDefinition[] = [];
    for (let layer = 0; layer < 20; layer += 1) {
      for (let k = 0; k < 50; k += 1) {
        const previous =
          layer === 0
            ? []
            : Array.from({ length: 50 }, (_, j) => `s${layer - 1}-${j}`);
        steps.push(step(`s${layer}-${k}`, previous));
      }
    }
    const result = layers(workflow(steps));
    expect(result).toHaveLength(20);
    expect(result.every((layer) => layer.length === 50)).toBe(true);
    expect(result[19]?.[49]).toBe("s19-49");
  });

  test("a cycle is a bug here (validation rejects it first)", () => {
    expect(() =>
      layers(workflow([step("a", ["b"]), step("b", ["a"])])),
    ).toThrow(/cycle/);
  });
});

describe("cycles and reachability", () => {
  test("cycles start at their earliest-written step and follow needs", () => {
    const steps = [
      step("x"),
      step("c", ["a"]),
      step("a", ["b"]),
      step("b", ["c", "x"]),
    ];
    expect(findCycles(workflow(steps))).toEqual([["c", "a", "b", "c"]]);
  });

  test("several cycles, self-needs and unknown ids ignored", () => {
    const steps = [
      step("a", ["a", "b", "ghost"]),
      step("b", ["a"]),
      step("c", ["d"]),
      step("d", ["c"]),
    ];
    expect(findCycles(workflow(steps))).toEqual([
      ["a", "b", "a"],
      ["c", "d", "c"],
    ]);
    expect(findCycles(workflow(steps), 1)).toHaveLength(1);
    expect(findCycles(diamond)).toEqual([]);
  });

  test("dependsOnTest answers transitive needs", () => {
    const dependsOn = dependsOnTest(diamond);
    expect(dependsOn("d", "a")).toBe(true);
    expect(dependsOn("d", "b")).toBe(true);
    expect(dependsOn("b", "c")).toBe(false);
    expect(dependsOn("a", "d")).toBe(false);
    expect(dependsOn("d", "d")).toBe(false);
    expect(dependsOn("d", "nope")).toBe(false);
  });
});

describe("ready steps", () => {
  test("roots first; missing states are pending", () => {
    expect(readySteps(diamond, {})).toEqual(["e", "a"]);
  });

  test("running and waiting steps are not finished", () => {
    expect(readySteps(diamond, { a: "running", e: "waiting" })).toEqual([]);
    expect(readySteps(diamond, { a: "succeeded", e: "waiting" })).toEqual([
      "c",
      "b",
    ]);
  });

  test.each<[string, Record<string, StepState>, string[]]>([
    [
      "both succeeded",
      { a: "succeeded", b: "succeeded", c: "succeeded" },
      ["d", "e"],
    ],
    [
      "a skipped dependency counts as finished",
      { a: "succeeded", b: "skipped", c: "succeeded" },
      ["d", "e"],
    ],
    [
      "failed under continue counts as finished",
      { a: "succeeded", b: "failed", c: "succeeded" },
      ["d", "e"],
    ],
    [
      "failed under skip_dependents blocks",
      { a: "succeeded", b: "succeeded", c: "failed" },
      ["e"],
    ],
    [
      "one still running blocks",
      { a: "succeeded", b: "running", c: "succeeded" },
      ["e"],
    ],
  ])("d: %s", (_, states, expected) => {
    expect(readySteps(diamond, states)).toEqual(expected);
  });

  test("a fail_run failure stops everything", () => {
    expect(readySteps(diamond, { a: "failed" })).toEqual([]);
    expect(runStatus(diamond, { a: "failed", e: "running" })).toBe("failed");
  });

  test("concurrency counts running steps only", () => {
    const limited = workflow(diamond.steps, 2);
    expect(freeSlots(limited, {})).toBe(2);
    expect(freeSlots(limited, { a: "running", e: "waiting" })).toBe(1);
    expect(
      freeSlots(limited, { a: "running", e: "running", b: "running" }),
    ).toBe(0);
    expect(freeSlots(diamond, { a: "running" })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("skipping", () => {
  test("skip_dependents skips every transitive dependent, in written order", () => {
    expect(stepsToSkip(diamond, "a")).toEqual(["d", "c", "b"]);
    expect(stepsToSkip(diamond, "c")).toEqual(["d"]);
    expect(stepsToSkip(diamond, "e")).toEqual([]);
    expect(stepsToSkip(diamond, "ghost")).toEqual([]);
  });

  test("run status: finished when every step is, failures under continue included", () => {
    expect(runStatus(diamond, {})).toBe("running");
    const states = {
      a: "succeeded",
      b: "failed",
      c: "succeeded",
      d: "skipped",
      e: "succeeded",
    } as const;
    expect(runStatus(diamond, states)).toBe("succeeded");
  });
});

/**
 * A tiny interpreter over the pure functions, the way the durable one
 * will use them: evaluate each ready step's `if`, skip it or "run" it.
 */
function simulate(
  definition: WorkflowDefinition,
  outcomes: Record<string, "succeeded" | "failed">,
): Record<string, StepState> {
  const states: Record<string, StepState> = {};
  for (
    let guard = 0;
    guard < 100 && runStatus(definition, states) === "running";
    guard += 1
  ) {
    for (const id of readySteps(definition, states)) {
      const current = definition.steps.find((candidate) => candidate.id === id);
      const context = {
        inputs: {},
        steps: Object.fromEntries(
          Object.entries(states).map(([key, status]) => [key, { status }]),
        ),
      };
      if (
        current?.condition !== undefined &&
        !evaluateCondition(current.condition, context)
      ) {
        states[id] = "skipped";
        continue;
      }
      states[id] = outcomes[id] ?? "succeeded";
      if (states[id] === "failed" && current?.onFailure === "skip_dependents") {
        for (const skipped of stepsToSkip(definition, id))
          states[skipped] = "skipped";
      }
    }
  }
  return states;
}

describe("a run end to end", () => {
  const definition = workflow([
    step("build", [], { onFailure: "skip_dependents" }),
    step("test", ["build"], { onFailure: "continue" }),
    step("report", ["test"], { condition: "steps.test.status == 'failed'" }),
    step("deploy", ["test"], { condition: "steps.test.status == 'succeeded'" }),
    step("notify", ["deploy", "report"]),
  ]);

  test("a false condition skips the step; its dependents still run", () => {
    expect(simulate(definition, {})).toEqual({
      build: "succeeded",
      test: "succeeded",
      report: "skipped",
      deploy: "succeeded",
      notify: "succeeded",
    });
  });

  test("continue lets dependents see the failure", () => {
    expect(simulate(definition, { test: "failed" })).toMatchObject({
      report: "succeeded",
      deploy: "skipped",
      notify: "succeeded",
    });
  });

  test("skip_dependents skips the rest, and the run still finishes", () => {
    const states = simulate(definition, { build: "failed" });
    expect(states).toEqual({
      build: "failed",
      test: "skipped",
      report: "skipped",
      deploy: "skipped",
      notify: "skipped",
    });
    expect(runStatus(definition, states)).toBe("succeeded");
  });
});
