import { describe, expect, test } from "vitest";
import {
  ALLOWED_TRANSITIONS,
  TASK_STATUSES,
} from "../../../../convex/model/taskStatus";
import {
  moveTargets,
  personPickItems,
  taskPickItems,
  taskRefFromArg,
  validateTitle,
} from "../../../../extension/commands/taskPicks";
import type { Person } from "../../../../extension/views/nodes";
import { card, loose, MIN, NOW } from "../views/fixtures";

describe("task picks", () => {
  test("key first in the label, open work first, newest first within a status", () => {
    const items = taskPickItems(
      [
        card({ _id: "d", number: 4, title: "Done thing", status: "done" }),
        card({ _id: "old", number: 1, title: "Old", updatedAt: NOW - 9 * MIN }),
        card({
          _id: "new",
          number: 2,
          title: "New",
          updatedAt: NOW,
          assigneeId: "u1",
        }),
        card({ _id: "b", number: 3, title: "Idea", status: "backlog" }),
      ],
      "SB",
      new Map([["u1", "Ada"]]),
    );
    expect(items.map((item) => [item.label, item.description])).toEqual([
      ["SB-3 Idea", "Backlog"],
      ["SB-2 New", "To do · Ada"],
      ["SB-1 Old", "To do"],
      ["SB-4 Done thing", "Done"],
    ]);
  });

  test("move offers exactly the state machine's transitions", () => {
    for (const status of TASK_STATUSES) {
      expect([...moveTargets(status)].sort()).toEqual(
        [...ALLOWED_TRANSITIONS[status]].sort(),
      );
    }
    expect(moveTargets("in_progress")).toEqual([
      "todo",
      "in_review",
      "blocked",
      "done",
      "cancelled",
    ]);
  });

  test("people: everyone, plus Nobody when someone is assigned", () => {
    const people = loose<Person[]>([
      { id: "u1", kind: "user", name: "Ada" },
      { id: "a1", kind: "agent", name: "claude-1" },
    ]);
    expect(personPickItems(people, undefined).map((p) => p.label)).toEqual([
      "Ada",
      "claude-1",
    ]);
    const items = personPickItems(people, "a1");
    expect(items.map((p) => [p.label, p.description])).toEqual([
      ["Nobody", "remove the assignee"],
      ["Ada", "person"],
      ["claude-1", "agent · assigned now"],
    ]);
    expect(items[0]?.assigneeId).toBeUndefined();
  });

  test("titles are required and bounded", () => {
    expect(validateTitle("  ")).toMatch(/needs a title/);
    expect(validateTitle("Fix login")).toBeUndefined();
    expect(validateTitle("x".repeat(201))).toMatch(/At most 200/);
  });

  test("a command argument names a task by tree element or by { taskId }", () => {
    const node = { kind: "task", card: card({ _id: "t1" }) };
    expect(taskRefFromArg(node)).toEqual({ taskId: "t1", card: node.card });
    expect(taskRefFromArg({ taskId: "t2" })).toEqual({ taskId: "t2" });
    expect(taskRefFromArg(undefined)).toBeUndefined();
    expect(taskRefFromArg({ kind: "thread", thread: {} })).toBeUndefined();
    expect(taskRefFromArg({ taskId: "" })).toBeUndefined();
  });
});
