import { describe, expect, test } from "vitest";
import type { TaskStatus } from "../../../../convex/validators";
import {
  buildTaskGroups,
  groupLabel,
  groupStartsExpanded,
  hasLeases,
  taskContextValue,
  taskDescription,
  taskIcon,
  taskLabel,
  taskTooltipRows,
  type ColumnPage,
} from "../../../../extension/views/taskTree";
import { card, MIN, NOW } from "./fixtures";

const names = new Map([
  ["u1", "Ada"],
  ["a1", "claude-1"],
]);

function columns(
  entries: Array<[TaskStatus, ColumnPage]>,
): Map<TaskStatus, ColumnPage> {
  return new Map(entries);
}

describe("task groups", () => {
  test("board order, empty columns left out, counts of loaded cards", () => {
    const groups = buildTaskGroups(
      columns([
        [
          "cancelled",
          { page: [card({ _id: "t9", status: "cancelled" })], isDone: true },
        ],
        ["done", { page: [], isDone: true }],
        [
          "todo",
          { page: [card({ _id: "t1" }), card({ _id: "t2" })], isDone: true },
        ],
        [
          "in_progress",
          { page: [card({ _id: "t3", status: "in_progress" })], isDone: true },
        ],
      ]),
    );
    expect(groups.map((group) => [group.status, groupLabel(group)])).toEqual([
      ["todo", "To do (2)"],
      ["in_progress", "In progress (1)"],
      ["cancelled", "Cancelled (1)"],
    ]);
  });

  test("a column with more than the loaded page says so", () => {
    const [group] = buildTaskGroups(
      columns([
        [
          "backlog",
          { page: [card({ _id: "t1", status: "backlog" })], isDone: false },
        ],
      ]),
    );
    expect(group?.hasMore).toBe(true);
    expect(group && groupLabel(group)).toBe("Backlog (1+)");
  });

  test("a task caught in two columns mid-move shows once, in its newest column", () => {
    const stale = card({ _id: "t1", status: "todo", updatedAt: NOW - MIN });
    const moved = card({ _id: "t1", status: "in_progress", updatedAt: NOW });
    const groups = buildTaskGroups(
      columns([
        ["todo", { page: [stale], isDone: true }],
        ["in_progress", { page: [moved], isDone: true }],
      ]),
    );
    expect(groups.map((group) => [group.status, group.cards.length])).toEqual([
      ["in_progress", 1],
    ]);
  });

  test("finished columns start collapsed", () => {
    expect(groupStartsExpanded("in_progress")).toBe(true);
    expect(groupStartsExpanded("done")).toBe(false);
    expect(groupStartsExpanded("cancelled")).toBe(false);
  });
});

describe("task lines", () => {
  test("label is key and title", () => {
    expect(
      taskLabel("SB", card({ _id: "t1", number: 12, title: "Fix login" })),
    ).toBe("SB-12 Fix login");
  });

  test("description: assignee, lease; the holder is not named twice", () => {
    const leased = card({
      _id: "t1",
      assigneeId: "a1",
      lease: { holderId: "a1", expiresAt: NOW + 12 * MIN },
    });
    expect(taskDescription(leased, names, NOW)).toBe(
      "claimed by claude-1, 12 min left",
    );
    const assigned = card({ _id: "t2", assigneeId: "u1" });
    expect(taskDescription(assigned, names, NOW)).toBe("Ada");
    expect(taskDescription(card({ _id: "t3" }), names, NOW)).toBe("");
  });

  test("waiting on dependencies: marker, lock icon, blocked context value", () => {
    const waiting = card({
      _id: "t1",
      openBlockers: 2,
      assigneeId: "u1",
    });
    expect(taskDescription(waiting, names, NOW)).toBe("waits on 2 tasks · Ada");
    expect(taskIcon(waiting).id).toBe("lock");
    expect(taskContextValue(waiting)).toBe("task.blocked");
    const ready = card({ _id: "t2", status: "done" });
    expect(taskIcon(ready).id).toBe("pass-filled");
    expect(taskContextValue(ready)).toBe("task");
  });

  test("tooltip rows name everything the card knows", () => {
    const rows = taskTooltipRows(
      card({
        _id: "t1",
        status: "in_progress",
        priority: "high",
        openBlockers: 1,
        labels: ["ui", "auth"],
        branch: "sb-1-fix",
        assigneeId: "u1",
        lease: { holderId: "u1", expiresAt: NOW - 2 * MIN },
      }),
      names,
      NOW,
    );
    expect(Object.fromEntries(rows)).toEqual({
      Status: "In progress",
      Priority: "high",
      Assignee: "Ada",
      Lease: "Ada, expired 2 min ago",
      "Waits on": "1 unfinished task",
      Labels: "ui, auth",
      Branch: "sb-1-fix",
      Updated: "5 min ago",
    });
  });

  test("only leases make the clock matter", () => {
    const plain = buildTaskGroups(
      columns([["todo", { page: [card({ _id: "t1" })], isDone: true }]]),
    );
    expect(hasLeases(plain)).toBe(false);
    const leased = buildTaskGroups(
      columns([
        [
          "in_progress",
          {
            page: [
              card({
                _id: "t1",
                status: "in_progress",
                lease: { holderId: "a1", expiresAt: NOW },
              }),
            ],
            isDone: true,
          },
        ],
      ]),
    );
    expect(hasLeases(leased)).toBe(true);
  });
});
