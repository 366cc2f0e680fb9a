/**
 * Whether a card may go to a column, and the words for when it may not. The
 * rules are convex/model/taskStatus.ts's, the same module the server enforces:
 * checking here first only saves a round trip, the server still decides.
 */
import type { BoardCard } from "../../convex/model/boardCards";
import {
  ALLOWED_TRANSITIONS,
  canTransition,
  needsDependenciesDone,
} from "../../convex/model/taskStatus";
import type { TaskStatus } from "../../convex/validators";
import { plural, STATUS_LABELS } from "./format";

export type MoveDecision =
  | { readonly kind: "noop" }
  | { readonly kind: "move"; readonly to: TaskStatus }
  | { readonly kind: "illegal"; readonly message: string };

export function moveFailure(
  key: string,
  from: TaskStatus,
  to: TaskStatus,
  reason: string,
): string {
  return `Cannot move ${key} from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}: ${reason}`;
}

export function allowedFrom(from: TaskStatus): string {
  const next = ALLOWED_TRANSITIONS[from].map((status) => STATUS_LABELS[status]);
  return next.length === 0 ? "nothing" : next.join(", ");
}

type MovableCard = Pick<BoardCard, "status" | "openBlockers">;

export function decideMove(
  card: MovableCard,
  key: string,
  to: TaskStatus,
): MoveDecision {
  const from = card.status;
  if (from === to) return { kind: "noop" };
  if (!canTransition(from, to)) {
    return {
      kind: "illegal",
      message: moveFailure(
        key,
        from,
        to,
        `from ${STATUS_LABELS[from]} a task may move to ${allowedFrom(from)}.`,
      ),
    };
  }
  if (needsDependenciesDone(to) && card.openBlockers > 0) {
    return {
      kind: "illegal",
      message: moveFailure(
        key,
        from,
        to,
        `${plural(card.openBlockers, "dependency", "dependencies")} not done yet.`,
      ),
    };
  }
  return { kind: "move", to };
}

/**
 * The keyboard move (Shift+Alt+Arrow): the nearest column in that direction
 * the card may legally enter, skipping columns it may not. Null at the edge or
 * when no column that way accepts it.
 */
export function keyboardMoveTarget(
  columns: readonly TaskStatus[],
  from: TaskStatus,
  direction: -1 | 1,
): TaskStatus | null {
  const start = columns.indexOf(from);
  if (start === -1) return null;
  for (
    let index = start + direction;
    index >= 0 && index < columns.length;
    index += direction
  ) {
    const status = columns[index];
    if (status !== undefined && canTransition(from, status)) return status;
  }
  return null;
}
