/** The board's pure model: columns, filters, memo equality, pending moves, first render. */
import { describe, expect, test } from "vitest";
import type { BoardCard } from "../../../convex/model/boardCards";
import {
  BOARD_PREFS_SCHEMA,
  collectLabels,
  DEFAULT_BOARD_PREFS,
  EMPTY_FILTER,
  filterCards,
  FirstRenderTracker,
  isFilterActive,
  sameCard,
  UNASSIGNED,
  visibleColumns,
  withPendingMoves,
} from "../../../webview/board/boardModel";
import { UiState } from "../../../webview/shared/uiState";

let next = 1;
function card(over: Partial<BoardCard> = {}): BoardCard {
  const n = next++;
  return {
    _id: `t${n}` as BoardCard["_id"],
    number: n,
    title: `Task ${n}`,
    status: "todo",
    priority: "medium",
    labels: [],
    openBlockers: 0,
    updatedAt: 1000 + n,
    ...over,
  };
}

describe("columns", () => {
  test("the flow of work, cancelled only on request", () => {
    expect(visibleColumns(false)).toEqual([
      "backlog",
      "todo",
      "in_progress",
      "in_review",
      "blocked",
      "done",
    ]);
    expect(visibleColumns(true).at(-1)).toBe("cancelled");
  });
});

describe("filters", () => {
  const ui = card({
    title: "Fix the Board drag",
    labels: ["ui", "bug"],
    assigneeId: "u1" as BoardCard["assigneeId"],
  });
  const api = card({ title: "Write the API", labels: ["backend"] });
  const docs = card({
    title: "Docs for drag and drop",
    number: 120,
    labels: ["docs"],
    assigneeId: "a1" as BoardCard["assigneeId"],
  });
  const cards = [ui, api, docs];

  test("inactive filters return the same array (memoized columns stay put)", () => {
    expect(isFilterActive(EMPTY_FILTER)).toBe(false);
    expect(isFilterActive({ ...EMPTY_FILTER, text: "   " })).toBe(false);
    expect(filterCards(cards, EMPTY_FILTER, "SB")).toBe(cards);
  });

  test("text matches title words in any order, case-insensitively", () => {
    const by = (text: string) =>
      filterCards(cards, { ...EMPTY_FILTER, text }, "SB").map((c) => c.title);
    expect(by("drag")).toEqual([
      "Fix the Board drag",
      "Docs for drag and drop",
    ]);
    expect(by("DRAG board")).toEqual(["Fix the Board drag"]);
    expect(by("nothing like this")).toEqual([]);
  });

  test("text matches the task key", () => {
    const result = filterCards(
      cards,
      { ...EMPTY_FILTER, text: "sb-120" },
      "SB",
    );
    expect(result).toEqual([docs]);
  });

  test("label and assignee narrow further, including unassigned", () => {
    expect(filterCards(cards, { ...EMPTY_FILTER, label: "ui" }, "SB")).toEqual([
      ui,
    ]);
    expect(
      filterCards(cards, { ...EMPTY_FILTER, assignee: "a1" }, "SB"),
    ).toEqual([docs]);
    expect(
      filterCards(cards, { ...EMPTY_FILTER, assignee: UNASSIGNED }, "SB"),
    ).toEqual([api]);
    expect(
      filterCards(cards, { text: "drag", label: "docs", assignee: "a1" }, "SB"),
    ).toEqual([docs]);
  });

  test("labels are collected across columns, unique and sorted", () => {
    expect(
      collectLabels([
        [ui, api],
        [docs, ui],
      ]),
    ).toEqual(["backend", "bug", "docs", "ui"]);
  });

  test("labels sort regardless of case, and identically on every machine", () => {
    expect(
      collectLabels([
        [card({ labels: ["UI", "api"] })],
        [card({ labels: ["Docs", "ui", "b"] })],
      ]),
    ).toEqual(["api", "b", "Docs", "UI", "ui"]);
  });

  test("stored preferences are validated field by field", () => {
    const storage = {
      state: {
        filter: { text: "x", label: 3 },
        showCancelled: true,
        token: "secret",
      } as unknown,
      getState() {
        return this.state;
      },
      setState<T>(value: T): T {
        this.state = value;
        return value;
      },
    };
    const prefs = new UiState(storage, BOARD_PREFS_SCHEMA, DEFAULT_BOARD_PREFS);
    // The malformed filter falls back; the valid toggle is kept; unknown fields are dropped.
    expect(prefs.get()).toEqual({ filter: EMPTY_FILTER, showCancelled: true });
    prefs.update({ filter: { text: "drag", label: "", assignee: "" } });
    expect(storage.state).toEqual({
      filter: { text: "drag", label: "", assignee: "" },
      showCancelled: true,
    });
  });
});

describe("sameCard", () => {
  test("equal content from a fresh object counts as the same", () => {
    const a = card({
      labels: ["x"],
      lease: { holderId: "u1" as never, expiresAt: 5 },
    });
    const copy = structuredClone(a);
    expect(sameCard(a, copy)).toBe(true);
  });

  test.each([
    ["title", { title: "other" }],
    ["priority", { priority: "urgent" }],
    ["labels", { labels: ["x", "y"] }],
    ["label order", { labels: ["y"] }],
    ["blockers", { openBlockers: 2 }],
    ["lease", { lease: { holderId: "u2", expiresAt: 5 } }],
    ["assignee", { assigneeId: "u9" }],
    ["updatedAt", { updatedAt: 1 }],
  ] as const)("a change of %s re-renders", (_label, change) => {
    const a = card({
      labels: ["x"],
      lease: { holderId: "u1" as never, expiresAt: 5 },
    });
    expect(sameCard(a, { ...a, ...(change as Partial<BoardCard>) })).toBe(
      false,
    );
  });
});

describe("pending moves", () => {
  const a = card();
  const b = card();
  const c = card({ status: "in_progress" });

  test("nothing pending returns the same array", () => {
    const cards = [a, b];
    expect(withPendingMoves("todo", cards, new Map())).toBe(cards);
  });

  test("a moving card leaves its column and shows first in the target", () => {
    const pending = new Map([[a._id, { card: a, to: "in_progress" as const }]]);
    expect(withPendingMoves("todo", [a, b], pending)).toEqual([b]);
    const target = withPendingMoves("in_progress", [c], pending);
    expect(target.map((x) => x._id)).toEqual([a._id, c._id]);
    expect(target[0]?.status).toBe("in_progress");
  });

  test("once the server's data has the card in the target, it is not doubled", () => {
    const pending = new Map([[a._id, { card: a, to: "in_progress" as const }]]);
    const moved = { ...a, status: "in_progress" as const };
    expect(
      withPendingMoves("in_progress", [moved, c], pending).map((x) => x._id),
    ).toEqual([a._id, c._id]);
  });
});

describe("FirstRenderTracker", () => {
  test("fires once, when the last expected column reports", () => {
    const tracker = new FirstRenderTracker();
    const expected = visibleColumns(false);
    const fired = expected.map((status) => tracker.report(status, expected));
    expect(fired).toEqual([false, false, false, false, false, true]);
    expect(tracker.report("todo", expected)).toBe(false);
  });

  test("repeated reports of one column do not complete the set", () => {
    const tracker = new FirstRenderTracker();
    expect(tracker.report("todo", ["todo", "done"])).toBe(false);
    expect(tracker.report("todo", ["todo", "done"])).toBe(false);
    expect(tracker.report("done", ["todo", "done"])).toBe(true);
  });
});
