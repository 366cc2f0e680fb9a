/**
 * Claims and leases. A claim is one serializable mutation: it reads the task
 * (or the ready queue) and writes the lease in the same transaction, so two
 * concurrent claims of one task conflict and exactly one commits.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { requireRange } from "./checks";
import { fail } from "./errors";
import { LEASE, LIMITS } from "./limits";
import { isActive } from "./taskStatus";
import { auditTaskChange } from "./tasks";

export function leaseIsLive(task: Doc<"tasks">, now: number): boolean {
  return task.lease !== undefined && task.lease.expiresAt > now;
}

/** Why a task cannot be claimed by `claimantId` now, or null if it can. */
export function claimBlocker(
  task: Doc<"tasks">,
  claimantId: Id<"users"> | Id<"agents">,
  now: number,
): string | null {
  if (task.openBlockers > 0)
    return `${task.openBlockers} dependencies are not done.`;
  if (leaseIsLive(task, now) && task.lease!.holderId !== claimantId) {
    return `It is leased until ${new Date(task.lease!.expiresAt).toISOString()}.`;
  }
  if (task.status === "todo" || isActive(task.status)) return null;
  return `Its status is ${task.status}; only todo tasks (or active ones whose lease expired) can be claimed.`;
}

export function leaseDuration(leaseMs: number | undefined): number {
  return requireRange(
    "leaseMs",
    leaseMs ?? LEASE.defaultMs,
    LEASE.minMs,
    LEASE.maxMs,
  );
}

export async function claimTask(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks"> | null,
  leaseMs: number | undefined,
): Promise<Doc<"tasks">> {
  const now = Date.now();
  const duration = leaseDuration(leaseMs);
  const claimantId = access.principal.id;
  const target =
    task ?? (await nextReadyTask(ctx, project._id, claimantId, now));
  const reason = claimBlocker(target, claimantId, now);
  if (reason !== null)
    fail("NOT_CLAIMABLE", `Task cannot be claimed: ${reason}`);
  await ctx.db.patch("tasks", target._id, {
    status: isActive(target.status) ? target.status : "in_progress",
    assigneeId: claimantId,
    lease: { holderId: claimantId, expiresAt: now + duration },
    updatedAt: now,
  });
  return await auditTaskChange(ctx, access, project, target, "task.claim");
}

/**
 * Highest priority first, oldest first within a priority. Reads candidates one at a
 * time and stops at the first claimable one (usually the first), scanning at most
 * LIMITS.claimScan; `take(claimScan)` read all of them on every claim.
 */
async function nextReadyTask(
  ctx: MutationCtx,
  projectId: Id<"projects">,
  claimantId: Id<"users"> | Id<"agents">,
  now: number,
): Promise<Doc<"tasks">> {
  const candidates = ctx.db
    .query("tasks")
    .withIndex("by_projectId_status_openBlockers_priorityRank", (q) =>
      q.eq("projectId", projectId).eq("status", "todo").eq("openBlockers", 0),
    );
  let scanned = 0;
  for await (const candidate of candidates) {
    if (claimBlocker(candidate, claimantId, now) === null) return candidate;
    if (++scanned >= LIMITS.claimScan) break;
  }
  fail("NOTHING_READY", "No ready task is waiting in this project.");
}

/**
 * What a task becomes when its holder lets go (release, or a lapsed lease):
 * work in progress returns to the queue unassigned; work in review stays in
 * review with its author (in_review -> todo is not a legal move). Either way
 * the lease ends.
 */
export function giveBack(
  task: Doc<"tasks">,
): Pick<Doc<"tasks">, "status" | "assigneeId" | "lease"> {
  if (task.status === "in_progress") {
    return { status: "todo", assigneeId: undefined, lease: undefined };
  }
  return { status: task.status, assigneeId: task.assigneeId, lease: undefined };
}

function requireHolder(access: Access, task: Doc<"tasks">): void {
  if (task.lease?.holderId !== access.principal.id) {
    fail(
      "LEASE_LOST",
      "You do not hold the lease on this task (it expired and was reclaimed, or someone else took it). Claim it again.",
    );
  }
}

export async function extendLease(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  leaseMs: number | undefined,
): Promise<Doc<"tasks">> {
  requireHolder(access, task);
  const now = Date.now();
  await ctx.db.patch("tasks", task._id, {
    lease: {
      holderId: access.principal.id,
      expiresAt: now + leaseDuration(leaseMs),
    },
    updatedAt: now,
  });
  return await auditTaskChange(ctx, access, project, task, "task.renew_lease");
}

export async function releaseTask(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
): Promise<Doc<"tasks">> {
  requireHolder(access, task);
  await ctx.db.patch("tasks", task._id, {
    ...giveBack(task),
    updatedAt: Date.now(),
  });
  return await auditTaskChange(ctx, access, project, task, "task.release");
}

/**
 * Cron: returns tasks whose lease ran out to the queue. Takes a bounded batch;
 * returns how many it handled so the caller can tell if more are waiting.
 */
export async function reclaimExpiredLeases(
  ctx: MutationCtx,
  now: number,
): Promise<number> {
  const expired = await ctx.db
    .query("tasks")
    .withIndex("by_lease_expiresAt", (q) =>
      q.gte("lease.expiresAt", 0).lte("lease.expiresAt", now),
    )
    .take(LIMITS.reclaimBatch);
  for (const task of expired) {
    const project = await ctx.db.get("projects", task.projectId);
    if (project === null) continue;
    await ctx.db.patch("tasks", task._id, {
      ...giveBack(task),
      updatedAt: now,
    });
    await auditTaskChange(ctx, "system", project, task, "task.lease_expired");
  }
  return expired.length;
}
