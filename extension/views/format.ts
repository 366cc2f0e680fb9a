/**
 * Text the sidebar shows, as pure functions of data and "now": relative times,
 * lease countdowns, task keys and status names. No vscode import, so every
 * wording rule is unit-tested (test/unit/extension/views/format.test.ts).
 */
import type { TaskStatus } from "../../convex/validators";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The order of the board's columns. Not TASK_STATUSES (whose order follows the
 * state machine): people read a board left to right, so Blocked sits next to
 * the work it holds up and Cancelled comes last.
 */
export const BOARD_ORDER: readonly TaskStatus[] = [
  "backlog",
  "todo",
  "in_progress",
  "in_review",
  "blocked",
  "done",
  "cancelled",
];

const STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  backlog: "Backlog",
  todo: "To do",
  in_progress: "In progress",
  in_review: "In review",
  blocked: "Blocked",
  done: "Done",
  cancelled: "Cancelled",
};

export function statusLabel(status: TaskStatus): string {
  return STATUS_LABELS[status];
}

/** "SB-12": how people and agents name a task. */
export function taskKey(projectKey: string, number: number): string {
  return `${projectKey}-${number}`;
}

/** A duration in words, rounded for a sidebar: "<1 min", "12 min", "2 h 5 min", "3 d". */
export function formatDuration(ms: number): string {
  const span = Math.abs(ms);
  if (span < MINUTE) return "<1 min";
  if (span < HOUR) return `${Math.floor(span / MINUTE)} min`;
  if (span < DAY) {
    const hours = Math.floor(span / HOUR);
    const minutes = Math.floor((span % HOUR) / MINUTE);
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  return `${Math.floor(span / DAY)} d`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then a date; "in 5 min" for the future. */
export function relativeTime(at: number, now: number): string {
  const delta = now - at;
  if (Math.abs(delta) < 45_000) return "just now";
  if (delta < 0) return `in ${coarse(-delta)}`;
  if (delta >= 7 * DAY) return `on ${new Date(at).toISOString().slice(0, 10)}`;
  return `${coarse(delta)} ago`;
}

/** Like formatDuration but one unit only: relative times need no precision. */
function coarse(ms: number): string {
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / MINUTE))} min`;
  if (ms < DAY) return `${Math.round(ms / HOUR)} h`;
  return `${Math.round(ms / DAY)} d`;
}

/**
 * "claimed by Ada, 12 min left" while the lease runs; once it has run out the
 * task is free for anyone to claim (the cron returns it to the queue soon), so
 * say so instead of a negative countdown.
 */
export function leaseText(
  holderName: string,
  expiresAt: number,
  now: number,
): string {
  const left = expiresAt - now;
  if (left <= 0) {
    return `claim by ${holderName} expired ${formatDuration(left)} ago`;
  }
  return `claimed by ${holderName}, ${formatDuration(left)} left`;
}

/** Cuts long one-line text for labels; tooltips carry the rest. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
