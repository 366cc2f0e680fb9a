/**
 * The Approvals inbox's pure helpers: ordering, selection by keyboard, and
 * the approval policy in words (who may decide, by when, what happens if
 * nobody does), following convex/model/approvals.ts. Unit-tested.
 */
import { roleAtLeast } from "../../convex/model/permissions";
import type {
  ApprovalPolicy,
  ApprovalStatus,
  OnExpiry,
  Role,
} from "../../convex/validators";
import { formatDateTime, formatRelative } from "../shared/format";

export function approvalTone(
  status: ApprovalStatus,
): "warning" | "success" | "error" | "default" {
  switch (status) {
    case "pending":
      return "warning";
    case "approved":
      return "success";
    case "rejected":
      return "error";
    default:
      return "default";
  }
}

interface Decided {
  readonly _id: string;
  readonly createdAt: number;
  readonly resolvedAt?: number;
}

/** Decided approvals from several status lists, most recently decided first. */
export function mergeDecided<T extends Decided>(
  lists: readonly (readonly T[] | undefined)[],
  max: number,
): T[] {
  const all = lists.flatMap((list) => list ?? []);
  all.sort(
    (a, b) => (b.resolvedAt ?? b.createdAt) - (a.resolvedAt ?? a.createdAt),
  );
  return all.slice(0, max);
}

/** Arrow/Home/End over the visible list; null when the key is not ours. */
export function moveSelection(
  ids: readonly string[],
  current: string | null,
  key: string,
): string | null {
  if (ids.length === 0) return null;
  const index = current === null ? -1 : ids.indexOf(current);
  switch (key) {
    case "ArrowDown":
      return ids[Math.min(index + 1, ids.length - 1)] ?? null;
    case "ArrowUp":
      return ids[Math.max(index - 1, 0)] ?? null;
    case "Home":
      return ids[0] ?? null;
    case "End":
      return ids[ids.length - 1] ?? null;
    default:
      return null;
  }
}

const EXPIRY_WORDS: Readonly<Record<OnExpiry, string>> = {
  expire: "it expires undecided",
  reject: "it is rejected automatically",
  approve: "it is approved automatically",
};

const ROLE_WORDS: Readonly<Record<Role, string>> = {
  viewer: "viewer",
  member: "member",
  admin: "admin",
  owner: "owner",
};

export function describeApprovers(policy: ApprovalPolicy): string {
  const role = ROLE_WORDS[policy.approverRole];
  return policy.approverRole === "owner"
    ? "An owner of the org, other than the requester. Agents cannot decide."
    : `A person with the ${role} role or above, other than the requester. Agents cannot decide.`;
}

export function describeDeadline(policy: ApprovalPolicy, now: number): string {
  const relative = formatRelative(policy.expiresAt, now);
  const date = formatDateTime(policy.expiresAt);
  return policy.expiresAt <= now
    ? `The deadline passed ${relative} (${date}); the policy decides: ${EXPIRY_WORDS[policy.onExpiry]}.`
    : `Decide ${relative} (by ${date}); if nobody does, ${EXPIRY_WORDS[policy.onExpiry]}.`;
}

export type DecideCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether the signed-in person may decide, mirroring the server's checks so
 * the buttons can say why they are off. `role` undefined = not known yet
 * (allowed: the server has the last word anyway).
 */
export function canDecide(
  approval: {
    readonly status: ApprovalStatus;
    readonly requesterId: string;
    readonly policy: ApprovalPolicy;
  },
  me: { readonly userId: string; readonly role: Role | null | undefined },
  now: number,
): DecideCheck {
  if (approval.status !== "pending") {
    return {
      ok: false,
      reason: `This approval is already ${approval.status}.`,
    };
  }
  if (approval.policy.expiresAt <= now) {
    return {
      ok: false,
      reason: "The deadline has passed; the policy decides the outcome.",
    };
  }
  if (approval.requesterId === me.userId) {
    return { ok: false, reason: "You cannot decide your own request." };
  }
  if (me.role === null) {
    return { ok: false, reason: "You are not a member of this org." };
  }
  if (
    me.role !== undefined &&
    !roleAtLeast(me.role, approval.policy.approverRole)
  ) {
    return {
      ok: false,
      reason: `This approval needs ${withArticle(approval.policy.approverRole)} or above; you are ${withArticle(me.role)}.`,
    };
  }
  return { ok: true };
}

function withArticle(role: Role): string {
  return `${role === "admin" || role === "owner" ? "an" : "a"} ${role}`;
}
