/**
 * The board's pure model: which columns show, how the filter bar narrows the
 * loaded cards, when a re-render of a card can be skipped, and when the board
 * counts as "first rendered". No React, no Convex: unit-tested.
 */
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import { isObject, isString, isBoolean } from "../protocol";
import { taskKey } from "../shared/format";
import type { UiSchema } from "../shared/uiState";

/** Left to right: the flow of work. Cancelled is last and hidden unless asked for. */
export const BOARD_COLUMNS: readonly TaskStatus[] = [
  "backlog",
  "todo",
  "in_progress",
  "in_review",
  "blocked",
  "done",
  "cancelled",
];

export function visibleColumns(showCancelled: boolean): TaskStatus[] {
  return BOARD_COLUMNS.filter(
    (status) => showCancelled || status !== "cancelled",
  );
}

/**
 * Cards in the first page of each column, and in each page loaded after it.
 * A screenful and then some: the first render waits for every column's first
 * page, so a bigger one only delays it (the rest loads as the column scrolls).
 */
export const FIRST_PAGE = 50;
/**
 * Every card is exactly this tall (px; board.css clips its rows to fit), so the
 * virtualizer knows each row's place without measuring it: measuring forced a
 * layout per card and was a fifth of the first render.
 */
export const CARD_HEIGHT = 104;

/** The server caps a board page at 200 (LIMITS.boardPage). */
export const NEXT_PAGE = 200;

/** `assignee`: "" any, "unassigned", or a principal id. `label`: "" any. */
export interface BoardFilter {
  readonly text: string;
  readonly label: string;
  readonly assignee: string;
}

export const UNASSIGNED = "unassigned";
export const EMPTY_FILTER: BoardFilter = { text: "", label: "", assignee: "" };

export interface BoardPrefs extends Record<string, unknown> {
  readonly filter: BoardFilter;
  readonly showCancelled: boolean;
}

export const BOARD_PREFS_SCHEMA: UiSchema<BoardPrefs> = {
  filter: isObject({ text: isString, label: isString, assignee: isString }),
  showCancelled: isBoolean,
};

export const DEFAULT_BOARD_PREFS: BoardPrefs = {
  filter: EMPTY_FILTER,
  showCancelled: false,
};

export function isFilterActive(filter: BoardFilter): boolean {
  return (
    filter.text.trim() !== "" || filter.label !== "" || filter.assignee !== ""
  );
}

/** Builds the predicate once per filter change, not once per card. */
export function cardMatcher(
  filter: BoardFilter,
  projectKey: string,
): (card: BoardCard) => boolean {
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const { label, assignee } = filter;
  return (card) => {
    if (label !== "" && !card.labels.includes(label)) return false;
    if (assignee === UNASSIGNED) {
      if (card.assigneeId !== undefined) return false;
    } else if (assignee !== "" && card.assigneeId !== assignee) return false;
    if (words.length === 0) return true;
    const haystack =
      `${taskKey(projectKey, card.number)} ${card.title}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  };
}

/** The same array back when nothing filters, so memoized columns stay put. */
export function filterCards(
  cards: readonly BoardCard[],
  filter: BoardFilter,
  projectKey: string,
): readonly BoardCard[] {
  if (!isFilterActive(filter)) return cards;
  return cards.filter(cardMatcher(filter, projectKey));
}

/** Every label on a loaded card, sorted, for the label filter. */
export function collectLabels(
  columns: Iterable<readonly BoardCard[]>,
): string[] {
  const labels = new Set<string>();
  for (const cards of columns) {
    for (const card of cards)
      for (const label of card.labels) labels.add(label);
  }
  // Not localeCompare: its first call builds an ICU collator, ~20 ms of the
  // board's first render; labels are short slugs, ordered well enough this way.
  return [...labels].sort(compareLabels);
}

function compareLabels(a: string, b: string): number {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA !== lowerB) return lowerA < lowerB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Convex hands over fresh objects on every update, so memoized cards compare
 * by content: only a card whose visible fields changed renders again.
 */
export function sameCard(a: BoardCard, b: BoardCard): boolean {
  return (
    a === b ||
    (a._id === b._id &&
      a.updatedAt === b.updatedAt &&
      a.title === b.title &&
      a.status === b.status &&
      a.priority === b.priority &&
      a.number === b.number &&
      a.assigneeId === b.assigneeId &&
      a.openBlockers === b.openBlockers &&
      a.lease?.holderId === b.lease?.holderId &&
      a.lease?.expiresAt === b.lease?.expiresAt &&
      a.labels.length === b.labels.length &&
      a.labels.every((label, i) => label === b.labels[i]))
  );
}

/**
 * Moves in flight: the card shows in its new column at once and leaves the old
 * one, until the server's update (or an error) settles it.
 */
export type PendingMoves = ReadonlyMap<
  string,
  { readonly card: BoardCard; readonly to: TaskStatus }
>;

export function withPendingMoves(
  status: TaskStatus,
  cards: readonly BoardCard[],
  pending: PendingMoves,
): readonly BoardCard[] {
  if (pending.size === 0) return cards;
  const arriving: BoardCard[] = [];
  for (const { card, to } of pending.values()) {
    if (to === status) arriving.push({ ...card, status });
  }
  const staying = cards.filter((card) => {
    const move = pending.get(card._id);
    return move === undefined || move.to === status;
  });
  const arrivingIds = new Set(arriving.map((card) => card._id));
  const rest = staying.filter((card) => !arrivingIds.has(card._id));
  if (arriving.length === 0 && rest.length === cards.length) return cards;
  return [...arriving, ...rest];
}

/**
 * Fires once, when every column expected on screen has shown its first page:
 * the moment the board is usable (a benchmark reads the performance mark).
 */
export class FirstRenderTracker {
  private readonly rendered = new Set<TaskStatus>();
  private done = false;

  /** Returns true exactly once: on the report that completes the set. */
  report(status: TaskStatus, expected: readonly TaskStatus[]): boolean {
    if (this.done) return false;
    this.rendered.add(status);
    if (expected.every((column) => this.rendered.has(column))) {
      this.done = true;
      return true;
    }
    return false;
  }
}
