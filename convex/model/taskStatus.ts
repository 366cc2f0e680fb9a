/**
 * The task state machine. Pure data and functions so the UI, the MCP server
 * and the model-based tests share exactly the rules the backend enforces.
 */
import type { Priority, TaskStatus } from "../validators";

export const TASK_STATUSES: readonly TaskStatus[] = [
  "backlog",
  "todo",
  "in_progress",
  "in_review",
  "done",
  "blocked",
  "cancelled",
];

export const ALLOWED_TRANSITIONS: Readonly<
  Record<TaskStatus, readonly TaskStatus[]>
> = {
  backlog: ["todo", "cancelled"],
  todo: ["backlog", "in_progress", "blocked", "cancelled"],
  in_progress: ["todo", "in_review", "done", "blocked", "cancelled"],
  in_review: ["in_progress", "done", "blocked", "cancelled"],
  blocked: ["todo", "in_progress", "cancelled"],
  // Reopening finished or cancelled work goes back through the queue.
  done: ["todo"],
  cancelled: ["backlog", "todo"],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** Statuses in which someone is actively working, so a lease is meaningful. */
export function isActive(status: TaskStatus): boolean {
  return status === "in_progress" || status === "in_review";
}

/** Statuses that need every dependency done before they can be entered. */
export function needsDependenciesDone(status: TaskStatus): boolean {
  return (
    status === "in_progress" || status === "in_review" || status === "done"
  );
}

const PRIORITY_RANK: Readonly<Record<Priority, number>> = {
  urgent: 0,
  high: 1,
  medium: 2,
  low: 3,
};

export function priorityRank(priority: Priority): number {
  return PRIORITY_RANK[priority];
}
