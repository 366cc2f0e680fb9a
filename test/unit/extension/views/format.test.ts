import { describe, expect, test } from "vitest";
import {
  BOARD_ORDER,
  formatDuration,
  leaseText,
  relativeTime,
  statusLabel,
  taskKey,
  truncate,
} from "../../../../extension/views/format";
import { TASK_STATUSES } from "../../../../convex/model/taskStatus";
import { MIN, NOW } from "./fixtures";

describe("relative time", () => {
  test.each([
    [NOW - 10_000, "just now"],
    [NOW + 10_000, "just now"],
    [NOW - 50_000, "1 min ago"],
    [NOW - 5 * MIN, "5 min ago"],
    [NOW - 59 * MIN, "59 min ago"],
    [NOW - 60 * MIN, "1 h ago"],
    [NOW - 150 * MIN, "3 h ago"],
    [NOW - 26 * 60 * MIN, "1 d ago"],
    [NOW - 6 * 24 * 60 * MIN, "6 d ago"],
    [NOW - 8 * 24 * 60 * MIN, "on 2025-04-23"],
    [NOW + 5 * MIN, "in 5 min"],
    [NOW + 2 * 60 * MIN, "in 2 h"],
  ])("%i reads %j", (at, text) => {
    expect(relativeTime(at, NOW)).toBe(text);
  });
});

describe("durations and leases", () => {
  test.each([
    [30_000, "<1 min"],
    [12 * MIN + 59_000, "12 min"],
    [60 * MIN, "1 h"],
    [125 * MIN, "2 h 5 min"],
    [49 * 60 * MIN, "2 d"],
    [-3 * MIN, "3 min"],
  ])("%i ms is %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test("a running lease counts down", () => {
    expect(leaseText("Ada", NOW + 12 * MIN + 30_000, NOW)).toBe(
      "claimed by Ada, 12 min left",
    );
    expect(leaseText("Ada", NOW + 20_000, NOW)).toBe(
      "claimed by Ada, <1 min left",
    );
  });

  test("a lapsed lease says so instead of counting below zero", () => {
    expect(leaseText("claude-1", NOW - 3 * MIN, NOW)).toBe(
      "claim by claude-1 expired 3 min ago",
    );
    expect(leaseText("claude-1", NOW, NOW)).toBe(
      "claim by claude-1 expired <1 min ago",
    );
  });
});

describe("names", () => {
  test("board order covers every status once, Cancelled last", () => {
    expect([...BOARD_ORDER].sort()).toEqual([...TASK_STATUSES].sort());
    expect(BOARD_ORDER.at(-1)).toBe("cancelled");
    expect(BOARD_ORDER.map(statusLabel)).toEqual([
      "Backlog",
      "To do",
      "In progress",
      "In review",
      "Blocked",
      "Done",
      "Cancelled",
    ]);
  });

  test("task keys and truncation", () => {
    expect(taskKey("SB", 12)).toBe("SB-12");
    expect(truncate("  a\n b  ", 10)).toBe("a b");
    expect(truncate("abcdefghij", 5)).toBe("abcd…");
  });
});
