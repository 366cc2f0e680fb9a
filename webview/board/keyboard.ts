/**
 * Keyboard use of the board, as pure decisions over a grid of card ids:
 * arrows move focus (Left/Right jump to the nearest column that has cards),
 * Home/End and PageUp/PageDown within a column, Enter opens the card and
 * Shift+Alt+Left/Right moves it to the next column that accepts it.
 */
import type { TaskStatus } from "../../convex/validators";

export interface GridColumn {
  readonly status: TaskStatus;
  readonly ids: readonly string[];
}

export interface Position {
  readonly status: TaskStatus;
  readonly taskId: string;
}

export interface KeyInput {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
}

export type KeyAction =
  | { readonly type: "focus"; readonly key: FocusKey }
  | { readonly type: "move"; readonly direction: -1 | 1 }
  | { readonly type: "open" };

type FocusKey =
  | "ArrowUp"
  | "ArrowDown"
  | "ArrowLeft"
  | "ArrowRight"
  | "Home"
  | "End"
  | "PageUp"
  | "PageDown";

const FOCUS_KEYS: ReadonlySet<string> = new Set<FocusKey>([
  "ArrowUp",
  "ArrowDown",
  "ArrowLeft",
  "ArrowRight",
  "Home",
  "End",
  "PageUp",
  "PageDown",
]);

export const MOVE_SHORTCUT_HINT =
  "Arrow keys move between cards, Enter opens a card, Shift+Alt+←/→ moves it to the previous/next column.";

/** Which action a keydown on a card means; null lets the browser have it. */
export function interpretKey(input: KeyInput): KeyAction | null {
  const { key, shiftKey, altKey, ctrlKey, metaKey } = input;
  if (ctrlKey || metaKey) return null;
  if (shiftKey && altKey) {
    if (key === "ArrowLeft") return { type: "move", direction: -1 };
    if (key === "ArrowRight") return { type: "move", direction: 1 };
    return null;
  }
  if (shiftKey || altKey) return null;
  if (key === "Enter") return { type: "open" };
  if (FOCUS_KEYS.has(key)) return { type: "focus", key: key as FocusKey };
  return null;
}

const PAGE = 10;

/** Where focus goes from `from`; null when it stays (an edge, or no cards). */
export function navigate(
  grid: readonly GridColumn[],
  from: Position,
  key: FocusKey,
): Position | null {
  const col = grid.findIndex((column) => column.status === from.status);
  const column = grid[col];
  if (column === undefined) return null;
  const row = Math.max(0, column.ids.indexOf(from.taskId));
  const inColumn = (index: number): Position | null => {
    const clamped = Math.min(Math.max(index, 0), column.ids.length - 1);
    const taskId = column.ids[clamped];
    return taskId === undefined || clamped === row
      ? null
      : { status: column.status, taskId };
  };
  switch (key) {
    case "ArrowUp":
      return inColumn(row - 1);
    case "ArrowDown":
      return inColumn(row + 1);
    case "PageUp":
      return inColumn(row - PAGE);
    case "PageDown":
      return inColumn(row + PAGE);
    case "Home":
      return inColumn(0);
    case "End":
      return inColumn(column.ids.length - 1);
    case "ArrowLeft":
    case "ArrowRight": {
      const step = key === "ArrowLeft" ? -1 : 1;
      for (let c = col + step; c >= 0 && c < grid.length; c += step) {
        const next = grid[c];
        if (next === undefined || next.ids.length === 0) continue;
        const taskId = next.ids[Math.min(row, next.ids.length - 1)];
        if (taskId !== undefined) return { status: next.status, taskId };
      }
      return null;
    }
  }
}

/** The card that takes the board's one tab stop: the last focused, else the first. */
export function tabStop(
  grid: readonly GridColumn[],
  focused: Position | null,
): Position | null {
  if (focused !== null) {
    const column = grid.find((c) => c.status === focused.status);
    if (column?.ids.includes(focused.taskId)) return focused;
  }
  for (const column of grid) {
    const taskId = column.ids[0];
    if (taskId !== undefined) return { status: column.status, taskId };
  }
  return null;
}
