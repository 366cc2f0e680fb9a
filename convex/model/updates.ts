/**
 * "What changed for me" (wait_for_updates), read from the audit trail: every
 * data-changing mutation writes one event, so the org's events after a
 * cursor are exactly what happened since. Of those, an agent cares about new
 * messages in its threads, decisions on its approval requests and changes to
 * the tasks it works on (including losing one: a lapsed lease, a reassignment).
 * Its own actions are left out. Reads are bounded: one page of events, and a
 * few documents per event.
 */
import { v, type Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import type { PrincipalId } from "../validators";
import { taskKey } from "./tasks";
import { PrincipalNames } from "./threadReads";
import { iso } from "./views";

export const UPDATES = { scan: 100, maxChanges: 25, excerpt: 300 } as const;

export const vChange = v.object({
  kind: v.union(v.literal("message"), v.literal("approval"), v.literal("task")),
  at: v.string(),
  /** One line saying what happened, for the model. */
  summary: v.string(),
  taskId: v.optional(v.id("tasks")),
  threadId: v.optional(v.id("threads")),
  messageId: v.optional(v.id("messages")),
  approvalId: v.optional(v.id("approvals")),
});
export type Change = Infer<typeof vChange>;

/** The cursor of "now": the org's latest event. */
export async function latestCursor(
  ctx: QueryCtx,
  orgId: Id<"orgs">,
): Promise<number> {
  const latest = await ctx.db
    .query("auditEvents")
    .withIndex("by_orgId", (q) => q.eq("orgId", orgId))
    .order("desc")
    .first();
  return latest?._creationTime ?? 0;
}

export async function changesSince(
  ctx: QueryCtx,
  project: Doc<"projects">,
  me: PrincipalId,
  cursor: number,
): Promise<{ changes: Change[]; cursor: number; hasMore: boolean }> {
  const events = await ctx.db
    .query("auditEvents")
    .withIndex("by_orgId", (q) =>
      q.eq("orgId", project.orgId).gt("_creationTime", cursor),
    )
    .take(UPDATES.scan);
  const reader = new ChangeReader(ctx, project, me);
  const changes: Change[] = [];
  let last = cursor;
  let hasMore = events.length === UPDATES.scan;
  for (const event of events) {
    if (changes.length === UPDATES.maxChanges) {
      hasMore = true;
      break;
    }
    last = event._creationTime;
    if (event.actor === me) continue;
    const change = await reader.describe(event);
    if (change !== null) changes.push(change);
  }
  return { changes, cursor: last, hasMore };
}

class ChangeReader {
  private readonly names: PrincipalNames;
  private readonly threads = new Map<Id<"threads">, boolean>();

  constructor(
    private readonly ctx: QueryCtx,
    private readonly project: Doc<"projects">,
    private readonly me: PrincipalId,
  ) {
    this.names = new PrincipalNames(ctx);
  }

  async describe(event: Doc<"auditEvents">): Promise<Change | null> {
    const db = this.ctx.db;
    const at = iso(event.at);
    if (event.entity === "message") {
      const id = db.normalizeId("messages", event.entityId);
      const message = id === null ? null : await db.get("messages", id);
      if (message === null || message.kind === "event") return null;
      const thread = await db.get("threads", message.threadId);
      if (thread === null || !(await this.isMine(thread))) return null;
      const author = await this.who(message.authorId);
      return {
        kind: "message",
        at,
        summary: `${author} wrote in "${thread.title}": ${excerpt(message.body)}`,
        threadId: thread._id,
        taskId: thread.taskId,
        messageId: message._id,
      };
    }
    if (event.entity === "approval") {
      const id = db.normalizeId("approvals", event.entityId);
      const approval = id === null ? null : await db.get("approvals", id);
      if (
        approval === null ||
        approval.requesterId !== this.me ||
        approval.status === "pending"
      ) {
        return null;
      }
      const by = await this.who(event.actor);
      const reason =
        approval.reason === undefined ? "" : `: ${approval.reason}`;
      return {
        kind: "approval",
        at,
        summary: `Your request "${approval.summary}" is ${approval.status} (by ${by})${reason}`,
        approvalId: approval._id,
        taskId: approval.taskId,
      };
    }
    if (event.entity === "task") return await this.describeTask(event, at);
    return null;
  }

  private async describeTask(
    event: Doc<"auditEvents">,
    at: string,
  ): Promise<Change | null> {
    const id = this.ctx.db.normalizeId("tasks", event.entityId);
    const task = id === null ? null : await this.ctx.db.get("tasks", id);
    if (task === null || task.projectId !== this.project._id) return null;
    const before = event.before ?? {};
    const concernsMe =
      task.assigneeId === this.me ||
      task.lease?.holderId === this.me ||
      before.assigneeId === this.me ||
      before.leaseHolderId === this.me;
    if (!concernsMe) return null;
    const after = event.after ?? {};
    const fields = Object.keys(after)
      .filter((field) => field !== "leaseExpiresAt")
      .map(
        (field) => `${field}: ${show(before[field])} -> ${show(after[field])}`,
      );
    const by = await this.who(event.actor);
    return {
      kind: "task",
      at,
      summary: `${taskKey(this.project, task)} "${task.title}" ${event.action} by ${by}${fields.length > 0 ? ` (${fields.join("; ")})` : ""}; now ${task.status}`,
      taskId: task._id,
    };
  }

  /** Project-wide threads, threads it started, and the threads of its tasks. */
  private async isMine(thread: Doc<"threads">): Promise<boolean> {
    if (thread.projectId !== this.project._id) return false;
    const known = this.threads.get(thread._id);
    if (known !== undefined) return known;
    let mine = thread.taskId === undefined || thread.createdBy === this.me;
    if (!mine && thread.taskId !== undefined) {
      const task = await this.ctx.db.get("tasks", thread.taskId);
      mine =
        task !== null &&
        (task.assigneeId === this.me || task.lease?.holderId === this.me);
    }
    this.threads.set(thread._id, mine);
    return mine;
  }

  private async who(actor: PrincipalId | "system"): Promise<string> {
    return actor === "system"
      ? "Switchboard"
      : (await this.names.of(actor)).name;
  }
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, " ").trim();
  return line.length <= UPDATES.excerpt
    ? line
    : `${line.slice(0, UPDATES.excerpt)}…`;
}

function show(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined || value === ""
    ? "none"
    : String(value);
}
