/**
 * The run panel's and the budgets view's presentational parts rendered to
 * HTML (react-dom/server): what a person sees for a given run or envelope.
 * The live parts (useQuery) are covered by the end-to-end tier.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import type { StepState } from "../../../convex/model/workflowDag";
import type { WorkflowRunStatus } from "../../../convex/tables/workflows";
import { BudgetChart } from "../../../webview/budgets/BudgetChart";
import {
  barModel,
  type EnvelopeRow,
} from "../../../webview/budgets/budgetModel";
import type { DagStep } from "../../../webview/run/DagNode";
import { DagView } from "../../../webview/run/DagView";
import { EventLog } from "../../../webview/run/EventLog";
import { RunHeader } from "../../../webview/run/RunHeader";
import { layoutDag } from "../../../webview/run/runLayout";
import type { StepRowLike } from "../../../webview/run/runModel";

const NOW = Date.UTC(2025, 5, 1, 12);

function count(html: string, pattern: RegExp): number {
  return html.match(new RegExp(pattern.source, "g"))?.length ?? 0;
}

function renderDag(
  graph: DagStep[],
  rows: StepRowLike[],
  runStatus: WorkflowRunStatus = "running",
): string {
  return renderToStaticMarkup(
    createElement(DagView, {
      layout: layoutDag(graph),
      steps: new Map(graph.map((step) => [step.id, step])),
      rows: new Map(rows.map((row) => [row.stepId, row])),
      runStatus,
      now: NOW,
      selected: null,
      rerunning: null,
      onSelect: () => undefined,
      onRerun: () => undefined,
    }),
  );
}

const dagStep = (id: string, needs: string[] = []): DagStep => ({
  id,
  needs,
  executor: "external",
  agent: "claude-1",
  maxRetries: 2,
});
const row = (
  stepId: string,
  state: StepState,
  extra: Partial<StepRowLike> = {},
): StepRowLike => ({ stepId, state, attempt: 1, ...extra });

describe("the DAG", () => {
  const graph = [
    dagStep("build"),
    dagStep("test", ["build"]),
    dagStep("lint", ["build"]),
    dagStep("deploy", ["test", "lint"]),
  ];

  test("small: layers of boxes with edges and live states", () => {
    const html = renderDag(graph, [
      row("build", "succeeded"),
      row("test", "failed", { attempt: 3, error: "2 tests failed" }),
      row("lint", "waiting", { gate: "budget: the org budget is spent" }),
    ]);
    expect(count(html, /data-testid="dag-node"/)).toBe(4);
    expect(count(html, /<h3 class="dag__heading"/)).toBe(3);
    expect(count(html, /<path /)).toBe(4);
    expect(html).toContain('data-step-id="test" data-state="failed"');
    expect(html).toContain("attempt 3 of 3");
    expect(html).toContain("2 tests failed");
    expect(html).toContain("budget: the org budget is spent");
    expect(html).toContain("external · claude-1");
    // The step without a row yet is pending; only the failed one reruns.
    expect(html).toContain('data-step-id="deploy" data-state="pending"');
    expect(count(html, /data-testid="dag-rerun"/)).toBe(1);
    // Edges are drawn, so boxes do not list their needs.
    expect(html).not.toContain("needs test, lint");
  });

  test("a cancelled run offers no rerun", () => {
    const html = renderDag(graph, [row("test", "failed")], "cancelled");
    expect(html).not.toContain('data-testid="dag-rerun"');
  });

  test("1,000 steps: every box, no SVG, needs as text", () => {
    const big: DagStep[] = [];
    for (let l = 0; l < 20; l += 1) {
      for (let i = 0; i < 50; i += 1) {
        big.push(dagStep(`s${l}-${i}`, l === 0 ? [] : [`s${l - 1}-${i}`]));
      }
    }
    const html = renderDag(big, []);
    expect(count(html, /data-testid="dag-node"/)).toBe(1000);
    expect(html).not.toContain("<svg");
    expect(html).toContain("needs s18-7");
    expect(count(html, /<h3 class="dag__heading"/)).toBe(20);
  });
});

describe("the run header and event log", () => {
  const run = {
    name: "release",
    version: 3,
    startedAt: NOW - 65_000,
    usedTokens: 12_345,
    usedCostUsd: 0.42,
  };
  const header = (status: WorkflowRunStatus, endedAt?: number) =>
    renderToStaticMarkup(
      createElement(RunHeader, {
        run: { ...run, status, ...(endedAt === undefined ? {} : { endedAt }) },
        steps: "1 running",
        now: NOW,
        cancelling: false,
        onCancel: () => undefined,
      }),
    );

  test("a running run: duration so far, spend, Cancel", () => {
    const html = header("running");
    expect(html).toContain("Running for");
    expect(html).toContain("1 min 5 s");
    expect(html).toContain("12,345");
    expect(html).toContain("$0.42");
    expect(html).toContain('data-testid="run-cancel"');
  });

  test("an ended run: how long it took, no Cancel", () => {
    const html = header("succeeded", NOW - 5_000);
    expect(html).toContain("Took");
    expect(html).toContain("1 min");
    expect(html).not.toContain('data-testid="run-cancel"');
  });

  test("events, oldest first, with their step", () => {
    const html = renderToStaticMarkup(
      createElement(EventLog, {
        events: [
          { _id: "e1", at: NOW - 2_000, kind: "run.started", detail: "v3" },
          {
            _id: "e2",
            at: NOW - 1_000,
            kind: "step.failed",
            stepId: "test",
            detail: "exit 1",
          },
        ],
      }),
    );
    expect(html.indexOf("run started")).toBeLessThan(
      html.indexOf("step failed"),
    );
    expect(html).toContain("sb-tag--error");
    expect(html).toContain(">test<");
  });
});

describe("the budgets chart", () => {
  test("bars clamp at the track's end and mark the warning line", () => {
    const rows: EnvelopeRow[] = [
      {
        id: "b1",
        scope: "project",
        name: "Switchboard",
        periodText: "this month",
        level: "exhausted",
        bars: [barModel("tokens", 15_000, 10_000), barModel("usd", 2, 10)],
      },
      {
        id: "b2",
        scope: "agent",
        name: "claude-1",
        periodText: "no period",
        level: "ok",
        bars: [],
        unlimitedText: "No limit set; 0 tokens and $0.00 counted",
      },
    ];
    const html = renderToStaticMarkup(createElement(BudgetChart, { rows }));
    expect(count(html, /data-testid="budget-bar"/)).toBe(2);
    expect(html).toMatch(/<rect[^>]*width="100"[^>]*data-testid="budget-fill"/);
    expect(html).toMatch(/<rect[^>]*width="20"[^>]*data-testid="budget-fill"/);
    expect(count(html, /<line[^>]*x1="80"/)).toBe(2);
    expect(html).toContain("150%");
    expect(html).toContain("over by 5k tokens");
    expect(html).toContain('data-level="exhausted"');
    expect(html).toContain("Exhausted");
    // Grouped under their scope's heading, in scope order.
    expect(html.indexOf("Projects")).toBeLessThan(html.indexOf("Agents"));
    expect(html).toContain("No limit set");
  });
});
