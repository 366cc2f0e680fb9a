import { describe, expect, test } from "vitest";
import {
  approvalDescription,
  approvalGroupLabel,
  approvalIcon,
  approvalTooltipRows,
  buildApprovalGroups,
  pendingBadge,
  RECENT_DECIDED,
} from "../../../../extension/views/approvalTree";
import { approval, MIN, NOW } from "./fixtures";

const names = new Map([
  ["agent1", "claude-1"],
  ["u1", "Ada"],
]);

describe("approval groups", () => {
  test("pending first, then decisions newest first", () => {
    const groups = buildApprovalGroups(
      [approval({ _id: "p1" }), approval({ _id: "p2" })],
      [
        [
          approval({
            _id: "a1",
            status: "approved",
            resolvedAt: NOW - 10 * MIN,
          }),
        ],
        [approval({ _id: "r1", status: "rejected", resolvedAt: NOW - MIN })],
        [],
      ],
    );
    expect(
      groups.map((group) => [group.group, group.approvals.map((a) => a._id)]),
    ).toEqual([
      ["pending", ["p1", "p2"]],
      ["decided", ["r1", "a1"]],
    ]);
    expect(groups[0] && approvalGroupLabel(groups[0], false)).toBe(
      "Pending (2)",
    );
    expect(groups[0] && approvalGroupLabel(groups[0], true)).toBe(
      "Pending (2+)",
    );
    expect(groups[1] && approvalGroupLabel(groups[1], false)).toBe(
      "Recently decided",
    );
  });

  test("a just-decided request shows only as decided; nothing at all means no groups", () => {
    const groups = buildApprovalGroups(
      [approval({ _id: "x" })],
      [[approval({ _id: "x", status: "approved", resolvedAt: NOW })]],
    );
    expect(groups.map((group) => group.group)).toEqual(["decided"]);
    expect(buildApprovalGroups([], [[], []])).toEqual([]);
  });

  test("recent decisions are capped", () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      approval({ _id: `d${i}`, status: "expired", resolvedAt: NOW - i * MIN }),
    );
    const [decided] = buildApprovalGroups([], [many]);
    expect(decided?.approvals).toHaveLength(RECENT_DECIDED);
    expect(decided?.approvals[0]?._id).toBe("d0");
  });
});

describe("approval lines", () => {
  test("pending: who asks, since when", () => {
    expect(approvalDescription(approval({ _id: "p" }), names, NOW)).toBe(
      "claude-1 · 2 min ago",
    );
  });

  test("decided: outcome, by whom (or a rule), when", () => {
    const byAda = approval({
      _id: "a",
      status: "approved",
      resolverId: "u1",
      resolvedAt: NOW - 3 * MIN,
    });
    expect(approvalDescription(byAda, names, NOW)).toBe(
      "approved by Ada · 3 min ago · claude-1",
    );
    const byRule = approval({
      _id: "b",
      status: "rejected",
      resolverId: "system",
      ruleId: "rule1",
      resolvedAt: NOW - 3 * MIN,
    });
    expect(approvalDescription(byRule, names, NOW)).toBe(
      "rejected by rule · 3 min ago · claude-1",
    );
    expect(approvalIcon("approved").id).toBe("pass");
  });

  test("tooltip shows the deadline while pending, the reason when decided", () => {
    expect(
      Object.fromEntries(
        approvalTooltipRows(approval({ _id: "p" }), names, NOW),
      ),
    ).toMatchObject({
      Kind: "tool_use",
      "Requested by": "claude-1",
      Deadline: "in 1 h (then expire)",
    });
    const rejected = approval({
      _id: "r",
      status: "rejected",
      resolverId: "u1",
      reason: "not on main",
    });
    expect(
      Object.fromEntries(approvalTooltipRows(rejected, names, NOW)),
    ).toMatchObject({
      "Decided by": "Ada",
      Reason: "not on main",
    });
  });
});

describe("badge", () => {
  test("hidden at zero, counted otherwise", () => {
    expect(pendingBadge(0, false)).toBeUndefined();
    expect(pendingBadge(1, false)).toEqual({
      value: 1,
      tooltip: "1 pending approval",
    });
    expect(pendingBadge(3, false)).toEqual({
      value: 3,
      tooltip: "3 pending approvals",
    });
    expect(pendingBadge(50, true)).toEqual({
      value: 50,
      tooltip: "50+ pending approvals",
    });
  });
});
