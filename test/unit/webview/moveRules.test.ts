/** Move decisions shared by the board and Task detail (rules from convex/model/taskStatus.ts). */
import { describe, expect, test } from "vitest";
import { ALLOWED_TRANSITIONS } from "../../../convex/model/taskStatus";
import type { TaskStatus } from "../../../convex/validators";
import { visibleColumns } from "../../../webview/board/boardModel";
import {
  decideMove,
  keyboardMoveTarget,
  moveFailure,
} from "../../../webview/shared/moveRules";

const STATUSES = Object.keys(ALLOWED_TRANSITIONS) as TaskStatus[];

describe("decideMove", () => {
  test("same column is a no-op", () => {
    expect(
      decideMove({ status: "todo", openBlockers: 0 }, "SB-1", "todo"),
    ).toEqual({
      kind: "noop",
    });
  });

  test("agrees with the state machine for every pair", () => {
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (from === to) continue;
        const decision = decideMove(
          { status: from, openBlockers: 0 },
          "SB-1",
          to,
        );
        expect(decision.kind, `${from} -> ${to}`).toBe(
          ALLOWED_TRANSITIONS[from].includes(to) ? "move" : "illegal",
        );
      }
    }
  });

  test("an illegal move says which card, from where, to where, and what is allowed", () => {
    expect(
      decideMove({ status: "done", openBlockers: 0 }, "SB-3", "in_review"),
    ).toEqual({
      kind: "illegal",
      message:
        "Cannot move SB-3 from Done to In review: from Done a task may move to To do.",
    });
  });

  test("open dependencies block starting, reviewing and finishing", () => {
    const blocked = { status: "todo" as const, openBlockers: 2 };
    expect(decideMove(blocked, "SB-4", "in_progress")).toEqual({
      kind: "illegal",
      message:
        "Cannot move SB-4 from To do to In progress: 2 dependencies not done yet.",
    });
    expect(decideMove(blocked, "SB-4", "backlog")).toEqual({
      kind: "move",
      to: "backlog",
    });
  });

  test("moveFailure wraps a server reason the same way", () => {
    expect(
      moveFailure(
        "SB-7",
        "todo",
        "in_progress",
        "Another principal holds the lease.",
      ),
    ).toBe(
      "Cannot move SB-7 from To do to In progress: Another principal holds the lease.",
    );
  });
});

describe("keyboardMoveTarget", () => {
  const columns = visibleColumns(false);
  test("the adjacent column when legal", () => {
    expect(keyboardMoveTarget(columns, "backlog", 1)).toBe("todo");
    expect(keyboardMoveTarget(columns, "todo", 1)).toBe("in_progress");
    expect(keyboardMoveTarget(columns, "in_progress", -1)).toBe("todo");
  });

  test("skips columns the card may not enter", () => {
    // done -> blocked, in_review, in_progress are illegal; todo is the reopen path.
    expect(keyboardMoveTarget(columns, "done", -1)).toBe("todo");
  });

  test("null at the edge or when nothing that way accepts it", () => {
    expect(keyboardMoveTarget(columns, "backlog", -1)).toBeNull();
    expect(keyboardMoveTarget(columns, "blocked", 1)).toBeNull();
    expect(keyboardMoveTarget(visibleColumns(true), "blocked", 1)).toBe(
      "cancelled",
    );
  });
});
