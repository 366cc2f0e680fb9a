/**
 * A task's sandbox in words: status labels and tones, which changes may be
 * asked for (REQUESTABLE, the server's own rule, so no button is shown that
 * the server would refuse), stage rows with durations, and the board's
 * taskId -> status index. Pure, shared by the task view and the board.
 */
import {
  isEnded,
  REQUESTABLE,
  SANDBOX_STAGES,
  STAGE_LABELS,
} from "../../convex/model/sandboxStages";
import type {
  SandboxStage,
  SandboxStageRecord,
  SandboxStatus,
  StageState,
  TaskStatus,
} from "../../convex/validators";

export type SandboxChange = keyof typeof REQUESTABLE;
export type SandboxTone = "default" | "warning" | "error" | "info" | "success";

export const SANDBOX_STATUS_LABELS: Readonly<Record<SandboxStatus, string>> = {
  requested: "Requested",
  provisioning: "Provisioning",
  ready: "Ready",
  failed: "Failed",
  stopping: "Stopping",
  stopped: "Stopped",
  resuming: "Resuming",
  cleaning: "Cleaning up",
  cleaned: "Cleaned up",
  kept: "Kept",
  missing: "Missing",
};

export const CHANGE_LABELS: Readonly<Record<SandboxChange, string>> = {
  retry: "Retry",
  stop: "Stop",
  resume: "Resume",
  cleanup: "Clean up",
};

export const STAGE_STATE_LABELS: Readonly<Record<StageState, string>> = {
  pending: "Pending",
  running: "Running",
  done: "Done",
  failed: "Failed",
};

/** The order buttons appear in: the likely next step first, clean-up last. */
const CHANGE_ORDER: readonly SandboxChange[] = [
  "retry",
  "stop",
  "resume",
  "cleanup",
];

export function sandboxTone(status: SandboxStatus): SandboxTone {
  switch (status) {
    case "ready":
      return "success";
    case "failed":
    case "missing":
      return "error";
    case "kept":
      return "warning";
    case "requested":
    case "provisioning":
    case "stopping":
    case "resuming":
    case "cleaning":
      return "info";
    default:
      return "default";
  }
}

/** The changes a person may ask for now, in button order. */
export function sandboxChanges(status: SandboxStatus): SandboxChange[] {
  return CHANGE_ORDER.filter((change) => REQUESTABLE[change].includes(status));
}

/** Only a ready sandbox has a running container to open. */
export function canAttach(status: SandboxStatus): boolean {
  return status === "ready";
}

/**
 * A new sandbox may be opened when the task has none, or only an ended one
 * (no container left), and the task is still work to do.
 */
export function canOpenSandbox(
  taskStatus: TaskStatus,
  sandboxStatus: SandboxStatus | null,
): boolean {
  if (taskStatus === "done" || taskStatus === "cancelled") return false;
  return sandboxStatus === null || isEnded(sandboxStatus);
}

/** "Kept: 2 commits not merged…": an ended sandbox's last word. */
export function endedSummary(status: SandboxStatus, note?: string): string {
  const label = SANDBOX_STATUS_LABELS[status];
  return note === undefined || note.trim() === "" ? label : `${label}: ${note}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "0.4 s", "12.3 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const span = Math.max(0, ms);
  if (span < MINUTE) return `${(span / 1000).toFixed(1)} s`;
  if (span < HOUR) {
    const seconds = Math.floor((span % MINUTE) / 1000);
    return `${Math.floor(span / MINUTE)} min ${seconds} s`;
  }
  return `${Math.floor(span / HOUR)} h ${Math.floor((span % HOUR) / MINUTE)} min`;
}

export interface StageRow {
  readonly stage: SandboxStage;
  readonly label: string;
  readonly state: StageState;
  /** Set once the stage has both started and ended. */
  readonly duration: string | null;
  readonly error: string | null;
}

/** Every stage in pipeline order; one the runner has not reported is pending. */
export function stageRows(records: readonly SandboxStageRecord[]): StageRow[] {
  return SANDBOX_STAGES.map((stage) => {
    const record = records.find((r) => r.stage === stage);
    const { startedAt, endedAt } = record ?? {};
    return {
      stage,
      label: STAGE_LABELS[stage],
      state: record?.state ?? "pending",
      duration:
        startedAt === undefined || endedAt === undefined
          ? null
          : formatDuration(endedAt - startedAt),
      error:
        record?.error === undefined || record.error === ""
          ? null
          : record.error,
    };
  });
}

/** The first 12 hex digits, as `docker ps` shows a container id. */
export function shortContainerId(containerId: string): string {
  return containerId.slice(0, 12);
}

interface LiveSandbox {
  readonly taskId: string;
  readonly status: SandboxStatus;
  readonly createdAt: number;
}

/** taskId -> status for the board's badges; the newest sandbox of a task wins. */
export function liveSandboxIndex(
  sandboxes: readonly LiveSandbox[],
): ReadonlyMap<string, SandboxStatus> {
  const newest = new Map<string, LiveSandbox>();
  for (const sandbox of sandboxes) {
    const seen = newest.get(sandbox.taskId);
    if (seen === undefined || sandbox.createdAt > seen.createdAt) {
      newest.set(sandbox.taskId, sandbox);
    }
  }
  return new Map(
    [...newest].map(([taskId, sandbox]) => [taskId, sandbox.status]),
  );
}

/** Same tasks with the same statuses: the board keeps its old index and skips a re-render. */
export function sameSandboxIndex(
  a: ReadonlyMap<string, SandboxStatus>,
  b: ReadonlyMap<string, SandboxStatus>,
): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [taskId, status] of a) {
    if (b.get(taskId) !== status) return false;
  }
  return true;
}
