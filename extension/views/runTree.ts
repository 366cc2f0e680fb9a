/**
 * The Runs view's shape and wording as pure functions: a run's line (status,
 * age, cost), its steps in the order the workflow writes them, and each
 * step's line (state, attempt, why it waits or failed). runsView.ts turns
 * these into TreeItems; the tests pin the rules without VS Code.
 */
import { usageText } from "../../convex/model/budgetLevels";
import type { StepState } from "../../convex/model/workflowDag";
import type { WorkflowRunStatus } from "../../convex/tables/workflows";
import { formatDuration, relativeTime, truncate } from "./format";
import type {
  GraphStep,
  RunDetail,
  RunStepNode,
  StepRow,
  WorkflowRun,
} from "./nodes";
import type { IconSpec } from "./taskTree";

const RUN_ICONS: Readonly<Record<WorkflowRunStatus, IconSpec>> = {
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass-filled", color: "charts.green" },
  failed: { id: "error", color: "charts.red" },
  cancelled: { id: "circle-slash", color: "disabledForeground" },
};

const STEP_ICONS: Readonly<Record<StepState, IconSpec>> = {
  pending: { id: "circle-large-outline" },
  waiting: { id: "watch", color: "charts.yellow" },
  running: { id: "sync~spin", color: "charts.blue" },
  succeeded: { id: "pass", color: "charts.green" },
  failed: { id: "error", color: "charts.red" },
  skipped: { id: "debug-step-over", color: "disabledForeground" },
};

export const RUN_STATUS_WORDS: Readonly<Record<WorkflowRunStatus, string>> = {
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

export const STEP_STATE_WORDS: Readonly<Record<StepState, string>> = {
  pending: "pending",
  waiting: "waiting",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  skipped: "skipped",
};

export function runLabel(run: Pick<WorkflowRun, "name" | "version">): string {
  return `${run.name} v${run.version}`;
}

export function runIcon(run: Pick<WorkflowRun, "status">): IconSpec {
  return RUN_ICONS[run.status];
}

/** "failed · 5 min ago · 12.3k tokens · $0.42". */
export function runDescription(run: WorkflowRun, now: number): string {
  const usage = usageText(run.usedTokens, run.usedCostUsd);
  return [
    RUN_STATUS_WORDS[run.status],
    relativeTime(run.startedAt, now),
    ...(usage === "" ? [] : [usage]),
  ].join(" · ");
}

export function runTooltipRows(
  run: WorkflowRun,
  now: number,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["Status", RUN_STATUS_WORDS[run.status]],
    ["Started", relativeTime(run.startedAt, now)],
  ];
  const end = run.endedAt ?? now;
  rows.push([
    run.endedAt === undefined ? "Running for" : "Took",
    formatDuration(end - run.startedAt),
  ]);
  const usage = usageText(run.usedTokens, run.usedCostUsd);
  rows.push(["Spent", usage === "" ? "nothing yet" : usage]);
  return rows;
}

/** `run.running` etc.: package.json's menus offer Cancel on running runs only. */
export function runContextValue(run: Pick<WorkflowRun, "status">): string {
  return `run.${run.status}`;
}

/**
 * The run's steps in written order with their live rows. A run whose
 * workflow version is gone has no graph: its rows are listed as they are.
 */
export function buildStepNodes(
  run: WorkflowRun,
  detail: Pick<RunDetail, "graph" | "steps">,
): RunStepNode[] {
  const rows = new Map(detail.steps.map((row) => [row.stepId, row]));
  const graph: readonly GraphStep[] =
    detail.graph.length > 0
      ? detail.graph
      : detail.steps.map((row) => ({
          id: row.stepId,
          needs: [],
          executor: "external" as const,
          maxRetries: 0,
        }));
  return graph.map((step) => ({
    kind: "runStep",
    run,
    step,
    row: rows.get(step.id),
  }));
}

export function stepState(node: Pick<RunStepNode, "row">): StepState {
  return node.row?.state ?? "pending";
}

/** "attempt 2/4" (first try plus retries); empty before the first attempt. */
export function attemptText(
  row: Pick<StepRow, "attempt"> | undefined,
  step: Pick<GraphStep, "maxRetries">,
): string {
  if (row === undefined || row.attempt === 0) return "";
  return `attempt ${row.attempt}/${step.maxRetries + 1}`;
}

/** Only a failed step of a run that was not cancelled reruns (workflowRunOps.rerunStep). */
export function canRerunStep(node: Pick<RunStepNode, "run" | "row">): boolean {
  return stepState(node) === "failed" && node.run.status !== "cancelled";
}

/** "waiting · attempt 1/3 · budget: the project budget is spent". */
export function stepDescription(node: RunStepNode): string {
  const state = stepState(node);
  const parts = [STEP_STATE_WORDS[state]];
  const attempt = attemptText(node.row, node.step);
  if (attempt !== "") parts.push(attempt);
  if (state === "waiting" && node.row?.gate !== undefined) {
    parts.push(truncate(node.row.gate, 80));
  }
  if (state === "failed" && node.row?.error !== undefined) {
    parts.push(truncate(node.row.error, 80));
  }
  const usage = usageText(node.row?.usedTokens, node.row?.usedCostUsd);
  if (usage !== "") parts.push(usage);
  return parts.join(" · ");
}

export function stepIcon(node: RunStepNode): IconSpec {
  return STEP_ICONS[stepState(node)];
}

/** `runStep.failed` only where Rerun works, so the menu never offers a refusal. */
export function stepContextValue(node: RunStepNode): string {
  const state = stepState(node);
  if (state === "failed" && !canRerunStep(node)) return "runStep.failedFinal";
  return `runStep.${state}`;
}

/** Who runs the step: "external · claude-1", "approval". */
export function executorText(step: Pick<GraphStep, "executor" | "agent">) {
  return step.agent === undefined
    ? step.executor
    : `${step.executor} · ${step.agent}`;
}

export function stepTooltipRows(
  node: RunStepNode,
  now: number,
): Array<[string, string]> {
  const { step, row } = node;
  const rows: Array<[string, string]> = [
    ["State", STEP_STATE_WORDS[stepState(node)]],
    ["Runs on", executorText(step)],
    ["Needs", step.needs.length === 0 ? "nothing" : step.needs.join(", ")],
    ["Retries", `up to ${step.maxRetries}`],
  ];
  if (step.condition !== undefined) rows.push(["If", step.condition]);
  const attempt = attemptText(row, step);
  if (attempt !== "") rows.push(["Attempt", attempt]);
  if (row?.gate !== undefined) rows.push(["Waits for", row.gate]);
  if (row?.readyAt !== undefined && row.readyAt > now) {
    rows.push(["Next try", relativeTime(row.readyAt, now)]);
  }
  if (row?.error !== undefined) rows.push(["Error", row.error]);
  if (row?.startedAt !== undefined) {
    const end = row.endedAt ?? now;
    rows.push(["Time", formatDuration(end - row.startedAt)]);
  }
  const usage = usageText(row?.usedTokens, row?.usedCostUsd);
  if (usage !== "") rows.push(["Spent", usage]);
  return rows;
}

/** Whether any line depends on the clock: running runs' ages and durations. */
export function hasRunningRuns(runs: readonly WorkflowRun[]): boolean {
  return runs.some((run) => run.status === "running");
}
