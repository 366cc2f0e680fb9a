/**
 * The run panel's wording and rules as pure functions: how each step state
 * looks, attempts and retries, spend, durations, which buttons a step or run
 * gets (mirroring convex/model/workflowRunOps.ts so a button is never a
 * refusal), and the event log's lines. Unit-tested.
 */
import type { StepState } from "../../convex/model/workflowDag";
import type { WorkflowRunStatus } from "../../convex/tables/workflows";

export type Tone = "default" | "info" | "success" | "warning" | "error";

export interface StateLook {
  /** A one-character symbol, so the state reads without colour too. */
  readonly glyph: string;
  readonly label: string;
  readonly tone: Tone;
}

export const STEP_LOOKS: Readonly<Record<StepState, StateLook>> = {
  pending: { glyph: "○", label: "Pending", tone: "default" },
  waiting: { glyph: "◔", label: "Waiting", tone: "warning" },
  running: { glyph: "▶", label: "Running", tone: "info" },
  succeeded: { glyph: "✓", label: "Succeeded", tone: "success" },
  failed: { glyph: "✕", label: "Failed", tone: "error" },
  skipped: { glyph: "↷", label: "Skipped", tone: "default" },
};

export const RUN_LOOKS: Readonly<Record<WorkflowRunStatus, StateLook>> = {
  running: { glyph: "▶", label: "Running", tone: "info" },
  succeeded: { glyph: "✓", label: "Succeeded", tone: "success" },
  failed: { glyph: "✕", label: "Failed", tone: "error" },
  cancelled: { glyph: "⊘", label: "Cancelled", tone: "default" },
};

/** The part of a live step row the panel reads (workflowSteps). */
export interface StepRowLike {
  readonly stepId: string;
  readonly state: StepState;
  readonly attempt: number;
  readonly gate?: string;
  readonly error?: string;
  readonly readyAt?: number;
  readonly usedTokens?: number;
  readonly usedCostUsd?: number;
}

/** "attempt 2 of 4" (first try plus retries); "no retries" before the first. */
export function attemptText(attempt: number, maxRetries: number): string {
  if (attempt === 0) {
    return maxRetries === 0 ? "no retries" : `up to ${maxRetries} retries`;
  }
  return `attempt ${attempt} of ${maxRetries + 1}`;
}

/** "42 s", "5 min 3 s", "2 h 5 min": run and step durations. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 1) return "<1 s";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = seconds % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** How long the run took, or has been running so far. */
export function runDuration(
  run: { readonly startedAt: number; readonly endedAt?: number },
  now: number,
): string {
  return formatElapsed((run.endedAt ?? now) - run.startedAt);
}

/** "3 succeeded · 1 running · 1 failed", in state order, zeros left out. */
export function stateSummary(
  states: readonly StepState[],
  total: number,
): string {
  const counts = new Map<StepState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const unloaded = total - states.length;
  if (unloaded > 0) {
    counts.set("pending", (counts.get("pending") ?? 0) + unloaded);
  }
  const order = Object.keys(STEP_LOOKS) as StepState[];
  return order
    .filter((state) => (counts.get(state) ?? 0) > 0)
    .map(
      (state) =>
        `${counts.get(state)} ${STEP_LOOKS[state].label.toLowerCase()}`,
    )
    .join(" · ");
}

/** Only a failed step of a run that was not cancelled reruns. */
export function canRerun(
  runStatus: WorkflowRunStatus,
  state: StepState,
): boolean {
  return state === "failed" && runStatus !== "cancelled";
}

export function canCancel(runStatus: WorkflowRunStatus): boolean {
  return runStatus === "running";
}

/** Why the step is not running: its gate, or the retry countdown. */
export function waitText(row: StepRowLike, now: number): string | undefined {
  if (row.state !== "waiting") return undefined;
  if (row.readyAt !== undefined && row.readyAt > now) {
    return `retry in ${formatElapsed(row.readyAt - now)}`;
  }
  return row.gate;
}

/** A step output (JSON as stored) pretty-printed; unparsable text as is. */
export function formatOutput(output: string | undefined): string | undefined {
  if (output === undefined) return undefined;
  try {
    return JSON.stringify(JSON.parse(output) as unknown, null, 2);
  } catch {
    return output;
  }
}

/** Event kinds as people say them: "step.failed" -> "step failed". */
export function eventKindText(kind: string): string {
  return kind.replace(/[._]/g, " ");
}

/** Whether a failure or wait is worth a warning tone in the log. */
export function eventTone(kind: string): Tone {
  if (/failed|cancelled|exhausted/.test(kind)) return "error";
  if (/waiting|retry/.test(kind)) return "warning";
  if (/succeeded/.test(kind)) return "success";
  return "default";
}
