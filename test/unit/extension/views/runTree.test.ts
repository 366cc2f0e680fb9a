/** The Runs view's wording and shape, without VS Code. */
import { describe, expect, test } from "vitest";
import {
  attemptText,
  buildStepNodes,
  canRerunStep,
  runContextValue,
  runDescription,
  runIcon,
  runLabel,
  runTooltipRows,
  stepContextValue,
  stepDescription,
  stepIcon,
  stepTooltipRows,
} from "../../../../extension/views/runTree";
import { graphStep, MIN, NOW, stepRow, workflowRun } from "./fixtures";

describe("run lines", () => {
  test("name vN, then status, age and what it spent", () => {
    const run = workflowRun({
      _id: "run1",
      usedTokens: 12_345,
      usedCostUsd: 0.42,
    });
    expect(runLabel(run)).toBe("release v3");
    expect(runDescription(run, NOW)).toBe(
      "running · 5 min ago · 12.3k tokens · $0.42",
    );
    // Nothing spent yet: no empty "0 tokens".
    expect(
      runDescription(workflowRun({ _id: "r", status: "failed" }), NOW),
    ).toBe("failed · 5 min ago");
  });

  test("icons and context values by status (menus key on them)", () => {
    expect(runIcon(workflowRun({ _id: "r", status: "failed" }))).toEqual({
      id: "error",
      color: "charts.red",
    });
    expect(runContextValue(workflowRun({ _id: "r" }))).toBe("run.running");
    expect(
      runContextValue(workflowRun({ _id: "r", status: "cancelled" })),
    ).toBe("run.cancelled");
  });

  test("hover: duration so far, or how long it took", () => {
    const running = runTooltipRows(workflowRun({ _id: "r" }), NOW);
    expect(running).toContainEqual(["Running for", "5 min"]);
    expect(running).toContainEqual(["Spent", "nothing yet"]);
    const ended = runTooltipRows(
      workflowRun({ _id: "r", status: "succeeded", endedAt: NOW - 2 * MIN }),
      NOW,
    );
    expect(ended).toContainEqual(["Took", "3 min"]);
  });
});

describe("step lines", () => {
  const run = workflowRun({ _id: "run1" });

  test("steps follow the graph's written order, rows matched by id", () => {
    const nodes = buildStepNodes(run, {
      graph: [graphStep("build"), graphStep("test", ["build"])],
      steps: [stepRow("test", { state: "running" }), stepRow("build")],
    });
    expect(nodes.map((node) => [node.step.id, node.row?.state])).toEqual([
      ["build", "pending"],
      ["test", "running"],
    ]);
  });

  test("without a graph (its version is gone) the rows are listed", () => {
    const nodes = buildStepNodes(run, {
      graph: [],
      steps: [stepRow("a", { state: "succeeded" })],
    });
    expect(nodes.map((node) => node.step.id)).toEqual(["a"]);
  });

  test("attempt n/max counts the first try plus retries", () => {
    expect(attemptText(undefined, { maxRetries: 2 })).toBe("");
    expect(attemptText(stepRow("a"), { maxRetries: 2 })).toBe("");
    expect(attemptText(stepRow("a", { attempt: 2 }), { maxRetries: 2 })).toBe(
      "attempt 2/3",
    );
  });

  test("a waiting step says why; a failed one its error", () => {
    const [waiting] = buildStepNodes(run, {
      graph: [graphStep("deploy")],
      steps: [
        stepRow("deploy", {
          state: "waiting",
          attempt: 1,
          gate: "budget: the project budget is spent",
        }),
      ],
    });
    expect(stepDescription(waiting!)).toBe(
      "waiting · attempt 1/3 · budget: the project budget is spent",
    );
    expect(stepIcon(waiting!)).toEqual({ id: "watch", color: "charts.yellow" });

    const [failed] = buildStepNodes(run, {
      graph: [graphStep("deploy")],
      steps: [
        stepRow("deploy", {
          state: "failed",
          attempt: 3,
          error: "exit code 1",
          usedTokens: 2_000,
        }),
      ],
    });
    expect(stepDescription(failed!)).toBe(
      "failed · attempt 3/3 · exit code 1 · 2k tokens",
    );
  });

  test("Rerun is offered only where the backend allows it", () => {
    const failedRow = stepRow("a", { state: "failed" });
    const [inFailedRun] = buildStepNodes(
      workflowRun({ _id: "r", status: "failed" }),
      { graph: [graphStep("a")], steps: [failedRow] },
    );
    expect(canRerunStep(inFailedRun!)).toBe(true);
    expect(stepContextValue(inFailedRun!)).toBe("runStep.failed");

    const [inCancelledRun] = buildStepNodes(
      workflowRun({ _id: "r", status: "cancelled" }),
      { graph: [graphStep("a")], steps: [failedRow] },
    );
    expect(canRerunStep(inCancelledRun!)).toBe(false);
    expect(stepContextValue(inCancelledRun!)).toBe("runStep.failedFinal");

    const [succeeded] = buildStepNodes(run, {
      graph: [graphStep("a")],
      steps: [stepRow("a", { state: "succeeded" })],
    });
    expect(stepContextValue(succeeded!)).toBe("runStep.succeeded");
  });

  test("hover: executor, needs, condition, retry time", () => {
    const [node] = buildStepNodes(run, {
      graph: [
        graphStep("ship", ["build", "test"], {
          condition: "inputs.env == 'prod'",
        }),
      ],
      steps: [
        stepRow("ship", {
          state: "waiting",
          attempt: 1,
          readyAt: NOW + 2 * MIN,
          gate: "retry in 120 s",
        }),
      ],
    });
    const rows = stepTooltipRows(node!, NOW);
    expect(rows).toContainEqual(["Runs on", "external · claude-1"]);
    expect(rows).toContainEqual(["Needs", "build, test"]);
    expect(rows).toContainEqual(["If", "inputs.env == 'prod'"]);
    expect(rows).toContainEqual(["Next try", "in 2 min"]);
  });
});
