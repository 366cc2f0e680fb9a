/**
 * What the task commands offer in their pickers, as pure functions: tasks to
 * search by key or title, the legal next statuses (from the one state machine
 * in convex/model/taskStatus.ts), people to assign, and title validation.
 */
import type { Id } from "../../convex/_generated/dataModel";
import { LIMITS } from "../../convex/model/limits";
import { ALLOWED_TRANSITIONS } from "../../convex/model/taskStatus";
import type { Priority, TaskStatus } from "../../convex/validators";
import { BOARD_ORDER, statusLabel, taskKey } from "../views/format";
import { isTaskNode, type BoardCard, type Person } from "../views/nodes";

export type TaskPick = {
  label: string;
  description: string;
  card: BoardCard;
};

/** Board order (open work first), newest first within a column, as the board shows them. */
export function taskPickItems(
  cards: readonly BoardCard[],
  projectKey: string,
  names: ReadonlyMap<string, string>,
): TaskPick[] {
  const rank = (status: TaskStatus) => BOARD_ORDER.indexOf(status);
  return [...cards]
    .sort(
      (a, b) => rank(a.status) - rank(b.status) || b.updatedAt - a.updatedAt,
    )
    .map((card) => ({
      // The key leads the label so typing "SB-12" or a word of the title both match.
      label: `${taskKey(projectKey, card.number)} ${card.title}`,
      description: [
        statusLabel(card.status),
        card.assigneeId === undefined ? undefined : names.get(card.assigneeId),
      ]
        .filter((part) => part !== undefined)
        .join(" · "),
      card,
    }));
}

/** Statuses a task may move to from `from`, in board order. */
export function moveTargets(from: TaskStatus): TaskStatus[] {
  const allowed = ALLOWED_TRANSITIONS[from];
  return BOARD_ORDER.filter((status) => allowed.includes(status));
}

/** Statuses whose tasks a person could claim: ready work, or active work whose lease may have lapsed. */
export const CLAIMABLE_STATUSES: readonly TaskStatus[] = [
  "todo",
  "in_progress",
  "in_review",
];

/** Statuses worth assigning: finished work keeps its assignee. */
export const OPEN_STATUSES: readonly TaskStatus[] = BOARD_ORDER.filter(
  (status) => status !== "done" && status !== "cancelled",
);

export type PersonPick = {
  label: string;
  description: string;
  /** undefined = unassign. */
  assigneeId: Id<"users"> | Id<"agents"> | undefined;
};

export function personPickItems(
  people: readonly Person[],
  currentAssigneeId: string | undefined,
): PersonPick[] {
  const items: PersonPick[] = people.map((person) => ({
    label: person.name,
    description: `${person.kind === "user" ? "person" : "agent"}${
      person.id === currentAssigneeId ? " · assigned now" : ""
    }`,
    assigneeId: person.id,
  }));
  if (currentAssigneeId !== undefined) {
    items.unshift({
      label: "Nobody",
      description: "remove the assignee",
      assigneeId: undefined,
    });
  }
  return items;
}

export const PRIORITIES: readonly Priority[] = [
  "urgent",
  "high",
  "medium",
  "low",
];
export const DEFAULT_PRIORITY: Priority = "medium";

/** InputBox validation: a message when the title would be refused, else undefined. */
export function validateTitle(value: string): string | undefined {
  const title = value.trim();
  if (title === "") return "A task needs a title.";
  if (title.length > LIMITS.titleLength) {
    return `At most ${LIMITS.titleLength} characters (now ${title.length}).`;
  }
  return undefined;
}

/** A task named by a command's argument: a Tasks-view element or `{ taskId }` (Agents view). */
export type TaskRef = { taskId: Id<"tasks">; card?: BoardCard };

export function taskRefFromArg(arg: unknown): TaskRef | undefined {
  if (isTaskNode(arg)) return { taskId: arg.card._id, card: arg.card };
  if (
    typeof arg === "object" &&
    arg !== null &&
    "taskId" in arg &&
    typeof arg.taskId === "string" &&
    arg.taskId !== ""
  ) {
    return { taskId: arg.taskId as Id<"tasks"> };
  }
  return undefined;
}
