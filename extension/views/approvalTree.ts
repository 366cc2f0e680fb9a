/**
 * The Approvals view's shape and wording as pure functions: the pending inbox
 * first, then what was decided lately, and the view's badge.
 */
import type { ApprovalStatus } from "../../convex/validators";
import { relativeTime, truncate } from "./format";
import type { Approval, ApprovalGroupNode } from "./nodes";
import type { IconSpec, Names } from "./taskTree";

/** Decided approvals shown under "Recently decided". */
export const RECENT_DECIDED = 15;

/** The statuses listed as "decided"; cancelled ones were withdrawn, nobody decided them. */
export const DECIDED_STATUSES = ["approved", "rejected", "expired"] as const;

const ICONS: Readonly<Record<ApprovalStatus, IconSpec>> = {
  pending: { id: "question", color: "charts.yellow" },
  approved: { id: "pass", color: "charts.green" },
  rejected: { id: "error", color: "charts.red" },
  expired: { id: "watch", color: "disabledForeground" },
  cancelled: { id: "circle-slash", color: "disabledForeground" },
};

export function approvalIcon(status: ApprovalStatus): IconSpec {
  return ICONS[status];
}

function decidedAt(approval: Approval): number {
  return approval.resolvedAt ?? approval.createdAt;
}

/**
 * Pending (oldest first, as the inbox lists them), then the newest decisions
 * across the decided statuses. A just-decided approval can briefly be in both
 * lists while the subscriptions catch up; the decided copy wins.
 */
export function buildApprovalGroups(
  pending: readonly Approval[],
  decided: ReadonlyArray<readonly Approval[]>,
): ApprovalGroupNode[] {
  const recent = decided
    .flat()
    .sort((a, b) => decidedAt(b) - decidedAt(a))
    .slice(0, RECENT_DECIDED);
  const decidedIds = new Set(recent.map((approval) => approval._id));
  const open = pending.filter((approval) => !decidedIds.has(approval._id));
  const groups: ApprovalGroupNode[] = [];
  if (open.length > 0) {
    groups.push({ kind: "approvalGroup", group: "pending", approvals: open });
  }
  if (recent.length > 0) {
    groups.push({ kind: "approvalGroup", group: "decided", approvals: recent });
  }
  return groups;
}

export function approvalGroupLabel(
  group: ApprovalGroupNode,
  pendingHasMore: boolean,
): string {
  if (group.group === "decided") return "Recently decided";
  return `Pending (${group.approvals.length}${pendingHasMore ? "+" : ""})`;
}

export function approvalLabel(approval: Approval): string {
  return truncate(approval.summary, 80);
}

function nameOf(names: Names, id: string): string {
  if (id === "system") return "policy";
  return names.get(id) ?? "someone";
}

/** Pending: who asks and since when. Decided: the outcome, by whom, when. */
export function approvalDescription(
  approval: Approval,
  names: Names,
  now: number,
): string {
  const requester = nameOf(names, approval.requesterId);
  if (approval.status === "pending") {
    return `${requester} · ${relativeTime(approval.createdAt, now)}`;
  }
  const when = relativeTime(decidedAt(approval), now);
  const by =
    approval.resolverId === undefined
      ? ""
      : ` by ${approval.ruleId !== undefined ? "rule" : nameOf(names, approval.resolverId)}`;
  return `${approval.status}${by} · ${when} · ${requester}`;
}

export function approvalTooltipRows(
  approval: Approval,
  names: Names,
  now: number,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["Kind", approval.kind],
    ["Requested by", nameOf(names, approval.requesterId)],
    ["Requested", relativeTime(approval.createdAt, now)],
    ["Status", approval.status],
  ];
  if (approval.status === "pending") {
    rows.push(["Approver role", approval.policy.approverRole]);
    rows.push([
      "Deadline",
      `${relativeTime(approval.policy.expiresAt, now)} (then ${approval.policy.onExpiry})`,
    ]);
  } else if (approval.resolverId !== undefined) {
    rows.push(["Decided by", nameOf(names, approval.resolverId)]);
  }
  if (approval.reason !== undefined && approval.reason !== "") {
    rows.push(["Reason", approval.reason]);
  }
  return rows;
}

/** The view's badge; VS Code wants `undefined` (not 0) to hide it. */
export function pendingBadge(
  count: number,
  hasMore: boolean,
): { value: number; tooltip: string } | undefined {
  if (count === 0) return undefined;
  const shown = `${count}${hasMore ? "+" : ""}`;
  return {
    value: count,
    tooltip: `${shown} pending approval${count === 1 && !hasMore ? "" : "s"}`,
  };
}
