/**
 * Task detail's pure helpers: which statuses the move dropdown offers, how a
 * lease reads, and audit events in words. Unit-tested.
 */
import { ALLOWED_TRANSITIONS } from "../../convex/model/taskStatus";
import type { Lease, TaskStatus } from "../../convex/validators";
import {
  formatDateTime,
  formatRelative,
  STATUS_LABELS,
  statusLabel,
} from "../shared/format";

/** Options of the move dropdown: the current status first (selected), then the legal next ones. */
export function statusOptions(
  status: TaskStatus,
): { value: TaskStatus; label: string }[] {
  return [
    { value: status, label: `${STATUS_LABELS[status]} (current)` },
    ...ALLOWED_TRANSITIONS[status].map((next) => ({
      value: next,
      label: `Move to ${STATUS_LABELS[next]}`,
    })),
  ];
}

export function describeLease(
  lease: Lease | undefined,
  holderName: string,
  now: number,
): string {
  if (lease === undefined) return "Not claimed";
  return lease.expiresAt <= now
    ? `${holderName}'s claim expired ${formatRelative(lease.expiresAt, now)}`
    : `Claimed by ${holderName}, expires ${formatRelative(lease.expiresAt, now)} (${formatDateTime(lease.expiresAt)})`;
}

const ACTION_LABELS: Readonly<Record<string, string>> = {
  "task.create": "Created",
  "task.move": "Moved",
  "task.edit": "Edited",
  "task.assign": "Assigned",
  "task.dependencies": "Changed dependencies",
  "task.claim": "Claimed",
  "task.renew_lease": "Renewed the claim",
  "task.release": "Released the claim",
  "task.lease_expired": "Claim expired",
};

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: "title",
  status: "status",
  priority: "priority",
  assigneeId: "assignee",
  leaseHolderId: "claimed by",
  leaseExpiresAt: "claim expires",
  branch: "branch",
  dependsOn: "dependencies",
};

type SummaryValue = string | number | boolean | null;
type Summary = Readonly<Record<string, SummaryValue>>;

export interface Change {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

/**
 * The audit log stores only changed fields (before/after). Ids become names,
 * statuses their labels, times dates; dependency lists are counted because
 * raw ids mean nothing to a reader.
 */
export function describeChanges(
  before: Summary | undefined,
  after: Summary | undefined,
  nameOf: (id: string) => string,
): Change[] {
  const keys = new Set([
    ...Object.keys(before ?? {}),
    ...Object.keys(after ?? {}),
  ]);
  const changes: Change[] = [];
  for (const key of keys) {
    if (key === "leaseExpiresAt") continue; // Implied by the claim lines.
    const render = (value: SummaryValue | undefined): string => {
      if (value === null || value === undefined || value === "") return "—";
      if (key === "status" && typeof value === "string") {
        return statusLabel(value);
      }
      if (
        (key === "assigneeId" || key === "leaseHolderId") &&
        typeof value === "string"
      ) {
        return nameOf(value);
      }
      if (key === "dependsOn" && typeof value === "string") {
        const count = value.split(",").filter(Boolean).length;
        return `${count} task${count === 1 ? "" : "s"}`;
      }
      return String(value);
    };
    changes.push({
      field: FIELD_LABELS[key] ?? key,
      from: render(before?.[key]),
      to: render(after?.[key]),
    });
  }
  return changes;
}
