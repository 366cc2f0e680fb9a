/**
 * The Tasks view's shape and wording as pure functions: which groups exist in
 * which order, what each task line says. tasksView.ts turns these into
 * TreeItems; the tests pin the rules without VS Code.
 */
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import {
  BOARD_ORDER,
  formatDuration,
  leaseText,
  relativeTime,
  statusLabel,
  taskKey,
} from "./format";
import type { TaskGroupNode } from "./nodes";

/** One loaded page of a board column (api.board.column). */
export type ColumnPage = {
  readonly page: readonly BoardCard[];
  readonly isDone: boolean;
};

/** Principal id -> display name, from api.board.people. */
export type Names = ReadonlyMap<string, string>;

/** A codicon id and an optional theme colour id, so the mapping is testable. */
export type IconSpec = { readonly id: string; readonly color?: string };

const STATUS_ICONS: Readonly<Record<TaskStatus, IconSpec>> = {
  backlog: { id: "inbox" },
  todo: { id: "circle-large-outline" },
  in_progress: { id: "play-circle", color: "charts.blue" },
  in_review: { id: "eye", color: "charts.purple" },
  blocked: { id: "stop-circle", color: "charts.red" },
  done: { id: "pass-filled", color: "charts.green" },
  cancelled: { id: "circle-slash", color: "disabledForeground" },
};

/** Waiting on unfinished dependencies trumps the status icon: it is what stops work. */
const WAITING_ICON: IconSpec = { id: "lock", color: "charts.yellow" };

/**
 * Groups in board order, empty ones left out (so a project without tasks
 * shows the view's welcome content). The column subscriptions update one by
 * one, so a task that just moved can briefly sit in two columns: keep only its
 * newest copy, because a tree must not hold two elements with one id.
 */
export function buildTaskGroups(
  columns: ReadonlyMap<TaskStatus, ColumnPage>,
): TaskGroupNode[] {
  const newest = new Map<string, BoardCard>();
  for (const column of columns.values()) {
    for (const card of column.page) {
      const seen = newest.get(card._id);
      if (seen === undefined || card.updatedAt > seen.updatedAt) {
        newest.set(card._id, card);
      }
    }
  }
  const groups: TaskGroupNode[] = [];
  for (const status of BOARD_ORDER) {
    const column = columns.get(status);
    if (column === undefined) continue;
    const cards = column.page.filter(
      (card) => newest.get(card._id) === card && card.status === status,
    );
    if (cards.length === 0 && column.isDone) continue;
    groups.push({ kind: "taskGroup", status, cards, hasMore: !column.isDone });
  }
  return groups;
}

/** "In progress (3)", or "(50+)" when the column has more than was loaded. */
export function groupLabel(group: TaskGroupNode): string {
  const count = `${group.cards.length}${group.hasMore ? "+" : ""}`;
  return `${statusLabel(group.status)} (${count})`;
}

/** Finished columns start collapsed: people come to the sidebar for open work. */
export function groupStartsExpanded(status: TaskStatus): boolean {
  return status !== "done" && status !== "cancelled";
}

export function taskLabel(projectKey: string, card: BoardCard): string {
  return `${taskKey(projectKey, card.number)} ${card.title}`;
}

export function isWaiting(card: BoardCard): boolean {
  return card.openBlockers > 0;
}

export function taskContextValue(card: BoardCard): "task" | "task.blocked" {
  return isWaiting(card) ? "task.blocked" : "task";
}

export function taskIcon(card: BoardCard): IconSpec {
  return isWaiting(card) ? WAITING_ICON : STATUS_ICONS[card.status];
}

export function statusIcon(status: TaskStatus): IconSpec {
  return STATUS_ICONS[status];
}

function nameOf(names: Names, id: string): string {
  return names.get(id) ?? "someone";
}

function waitingText(card: BoardCard): string {
  return `waits on ${card.openBlockers} task${card.openBlockers === 1 ? "" : "s"}`;
}

/**
 * "waits on 2 tasks · Ada · claimed by claude-1, 12 min left". The assignee is
 * left out when the lease names the same principal, to keep the line short.
 */
export function taskDescription(
  card: BoardCard,
  names: Names,
  now: number,
): string {
  const parts: string[] = [];
  if (isWaiting(card)) parts.push(waitingText(card));
  const lease = card.lease;
  if (card.assigneeId !== undefined && card.assigneeId !== lease?.holderId) {
    parts.push(nameOf(names, card.assigneeId));
  }
  if (lease !== undefined) {
    parts.push(leaseText(nameOf(names, lease.holderId), lease.expiresAt, now));
  }
  return parts.join(" · ");
}

/** Label/value rows for the hover: everything the card knows, in words. */
export function taskTooltipRows(
  card: BoardCard,
  names: Names,
  now: number,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["Status", statusLabel(card.status)],
    ["Priority", card.priority],
    [
      "Assignee",
      card.assigneeId === undefined ? "nobody" : nameOf(names, card.assigneeId),
    ],
  ];
  if (card.lease !== undefined) {
    const left = card.lease.expiresAt - now;
    rows.push([
      "Lease",
      `${nameOf(names, card.lease.holderId)}, ${
        left > 0
          ? `${formatDuration(left)} left`
          : `expired ${formatDuration(left)} ago`
      }`,
    ]);
  }
  if (isWaiting(card)) {
    const n = card.openBlockers;
    rows.push(["Waits on", `${n} unfinished task${n === 1 ? "" : "s"}`]);
  }
  if (card.labels.length > 0) rows.push(["Labels", card.labels.join(", ")]);
  if (card.branch !== undefined) rows.push(["Branch", card.branch]);
  rows.push(["Updated", relativeTime(card.updatedAt, now)]);
  return rows;
}

/** Whether any card's text depends on the clock (lease countdowns). */
export function hasLeases(groups: readonly TaskGroupNode[]): boolean {
  return groups.some((group) =>
    group.cards.some((card) => card.lease !== undefined),
  );
}
