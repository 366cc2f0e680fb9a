/** Pure helpers of the Task detail, Thread and Approvals views. */
import { describe, expect, test } from "vitest";
import type { ApprovalPolicy } from "../../../convex/validators";
import {
  canDecide,
  describeApprovers,
  describeDeadline,
  mergeDecided,
  moveSelection,
} from "../../../webview/approvals/approvalModel";
import {
  actionLabel,
  describeChanges,
  describeLease,
  statusOptions,
} from "../../../webview/task/taskModel";
import {
  describeEvent,
  isNearBottom,
  isSendShortcut,
  layoutMessages,
  type MessageLike,
} from "../../../webview/thread/threadModel";

const NOW = Date.UTC(2025, 5, 1, 12);

describe("task detail", () => {
  test("the move dropdown offers the current status and the legal next ones", () => {
    expect(statusOptions("in_review").map((o) => o.value)).toEqual([
      "in_review",
      "in_progress",
      "done",
      "blocked",
      "cancelled",
    ]);
    expect(statusOptions("done")).toEqual([
      { value: "done", label: "Done (current)" },
      { value: "todo", label: "Move to To do" },
    ]);
  });

  test("lease wording", () => {
    expect(describeLease(undefined, "Ada", NOW)).toBe("Not claimed");
    expect(
      describeLease(
        { holderId: "u1" as never, expiresAt: NOW + 10 * 60_000 },
        "Ada",
        NOW,
      ),
    ).toMatch(/^Claimed by Ada, expires in 10 min \(/);
    expect(
      describeLease(
        { holderId: "u1" as never, expiresAt: NOW - 5 * 60_000 },
        "Ada",
        NOW,
      ),
    ).toBe("Ada's claim expired 5 min ago");
  });

  test("audit changes in words: names, status labels, counted dependencies", () => {
    const names = (id: string) => ({ u1: "Ada", a1: "planner" })[id] ?? id;
    expect(
      describeChanges(
        {
          status: "todo",
          assigneeId: null,
          leaseHolderId: null,
          leaseExpiresAt: null,
          dependsOn: "",
        },
        {
          status: "in_progress",
          assigneeId: "u1",
          leaseHolderId: "a1",
          leaseExpiresAt: 5,
          dependsOn: "t1,t2",
        },
        names,
      ),
    ).toEqual([
      { field: "status", from: "To do", to: "In progress" },
      { field: "assignee", from: "—", to: "Ada" },
      { field: "claimed by", from: "—", to: "planner" },
      { field: "dependencies", from: "—", to: "2 tasks" },
    ]);
    expect(describeChanges(undefined, { title: "New" }, names)).toEqual([
      { field: "title", from: "—", to: "New" },
    ]);
    expect(actionLabel("task.move")).toBe("Moved");
    expect(actionLabel("task.something_new")).toBe("task.something_new");
  });
});

describe("thread", () => {
  const msg = (
    id: string,
    authorId: string,
    createdAt: number,
    kind: MessageLike["kind"] = "text",
  ): MessageLike => ({
    _id: id,
    authorId,
    kind,
    createdAt,
  });

  test("newest-first pages read oldest first, grouped by author", () => {
    const newestFirst = [
      msg("m5", "u1", NOW + 20 * 60_000),
      msg("m4", "u1", NOW + 3 * 60_000),
      msg("m3", "a1", NOW + 2 * 60_000, "event"),
      msg("m2", "u1", NOW + 60_000),
      msg("m1", "u1", NOW),
    ];
    expect(
      layoutMessages(newestFirst).map((r) => [r.message._id, r.showHeader]),
    ).toEqual([
      ["m1", true],
      ["m2", false],
      ["m3", true],
      ["m4", true],
      ["m5", true],
    ]);
  });

  test("event wording", () => {
    expect(describeEvent("session_start", "planner")).toBe(
      "planner started a session",
    );
    expect(describeEvent("session_end", "planner")).toBe(
      "planner ended a session",
    );
    expect(describeEvent("budget_exceeded", "planner")).toBe(
      "planner: budget exceeded",
    );
  });

  test("Ctrl/Cmd+Enter sends, Enter does not", () => {
    expect(
      isSendShortcut({ key: "Enter", ctrlKey: true, metaKey: false }),
    ).toBe(true);
    expect(
      isSendShortcut({ key: "Enter", ctrlKey: false, metaKey: true }),
    ).toBe(true);
    expect(
      isSendShortcut({ key: "Enter", ctrlKey: false, metaKey: false }),
    ).toBe(false);
    expect(isSendShortcut({ key: "a", ctrlKey: true, metaKey: false })).toBe(
      false,
    );
  });

  test("following the bottom", () => {
    expect(isNearBottom(560, 400, 1000)).toBe(true);
    expect(isNearBottom(100, 400, 1000)).toBe(false);
  });
});

describe("approvals", () => {
  const policy = (over: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
    approverRole: "member",
    expiresAt: NOW + 3_600_000,
    onExpiry: "reject",
    ...over,
  });
  const pending = {
    status: "pending" as const,
    requesterId: "a1",
    policy: policy(),
  };

  test("decided lists merge, most recently decided first, capped", () => {
    const merged = mergeDecided(
      [
        [{ _id: "x", createdAt: 1, resolvedAt: 50 }],
        undefined,
        [
          { _id: "y", createdAt: 2, resolvedAt: 70 },
          { _id: "z", createdAt: 60 },
        ],
      ],
      2,
    );
    expect(merged.map((a) => a._id)).toEqual(["y", "z"]);
  });

  test("keyboard selection", () => {
    const ids = ["a", "b", "c"];
    expect(moveSelection(ids, "a", "ArrowDown")).toBe("b");
    expect(moveSelection(ids, "c", "ArrowDown")).toBe("c");
    expect(moveSelection(ids, "a", "ArrowUp")).toBe("a");
    expect(moveSelection(ids, null, "ArrowDown")).toBe("a");
    expect(moveSelection(ids, "b", "End")).toBe("c");
    expect(moveSelection(ids, "b", "Home")).toBe("a");
    expect(moveSelection(ids, "b", "x")).toBeNull();
    expect(moveSelection([], null, "ArrowDown")).toBeNull();
  });

  test("who may decide, mirroring the server", () => {
    const me = { userId: "u1", role: "member" as const };
    expect(canDecide(pending, me, NOW)).toEqual({ ok: true });
    expect(canDecide({ ...pending, requesterId: "u1" }, me, NOW)).toEqual({
      ok: false,
      reason: "You cannot decide your own request.",
    });
    expect(
      canDecide(
        { ...pending, policy: policy({ approverRole: "admin" }) },
        me,
        NOW,
      ),
    ).toEqual({
      ok: false,
      reason: "This approval needs an admin or above; you are a member.",
    });
    expect(
      canDecide({ ...pending, status: "approved" }, me, NOW),
    ).toMatchObject({ ok: false });
    expect(
      canDecide(
        { ...pending, policy: policy({ expiresAt: NOW - 1 }) },
        me,
        NOW,
      ),
    ).toMatchObject({
      ok: false,
    });
    expect(canDecide(pending, { userId: "u1", role: null }, NOW)).toMatchObject(
      { ok: false },
    );
    // Role still loading: allowed; the server decides.
    expect(canDecide(pending, { userId: "u1", role: undefined }, NOW)).toEqual({
      ok: true,
    });
  });

  test("policy in words", () => {
    expect(describeApprovers(policy({ approverRole: "admin" }))).toBe(
      "A person with the admin role or above, other than the requester. Agents cannot decide.",
    );
    expect(describeDeadline(policy(), NOW)).toMatch(
      /^Decide in 1 h \(by .+\); if nobody does, it is rejected automatically\.$/,
    );
    expect(
      describeDeadline(
        policy({ expiresAt: NOW - 120_000, onExpiry: "expire" }),
        NOW,
      ),
    ).toMatch(/^The deadline passed 2 min ago .*it expires undecided\.$/);
  });
});
