/**
 * Which thread an agent means (a thread id, a task's thread, or the project's
 * general thread) and messages as a model reads them: author names resolved,
 * times as ISO strings, and the `_creationTime` cursor to read on from.
 */
import { v, type Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { vMessageKind, vPrincipalId, type PrincipalId } from "../validators";
import type { Access } from "./access";
import { requireSameProject } from "./agentScope";
import { fail } from "./errors";
import { createThread, ensureTaskThread } from "./threads";
import { iso } from "./views";

export const GENERAL_THREAD_TITLE = "General";

export type ThreadTarget = {
  threadId?: Id<"threads">;
  taskId?: Id<"tasks">;
};

/** Thread by id, else the task's, else the project's general one; null if it does not exist yet. */
export async function findThread(
  ctx: QueryCtx,
  access: Access,
  project: Doc<"projects">,
  target: ThreadTarget,
): Promise<Doc<"threads"> | null> {
  if (target.threadId !== undefined && target.taskId !== undefined) {
    fail("INVALID_ARGUMENT", "Give threadId or taskId, not both.");
  }
  if (target.threadId !== undefined) {
    const { thread } = await access.thread(target.threadId);
    if (thread.projectId !== project._id) {
      fail("INVALID_ARGUMENT", "threadId names a thread of another project.");
    }
    return thread;
  }
  if (target.taskId !== undefined) {
    const { task } = await access.task(target.taskId);
    requireSameProject(task, project._id);
    return await ctx.db
      .query("threads")
      .withIndex("by_taskId", (q) => q.eq("taskId", task._id))
      .first();
  }
  return await ctx.db
    .query("threads")
    .withIndex("by_projectId_taskId", (q) =>
      q.eq("projectId", project._id).eq("taskId", undefined),
    )
    .first();
}

/** Like findThread, creating the task's or the project's thread on first use. */
export async function ensureThread(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  target: ThreadTarget,
): Promise<Doc<"threads">> {
  const found = await findThread(ctx, access, project, target);
  if (found !== null) return found;
  const threadId =
    target.taskId !== undefined
      ? await ensureTaskThread(
          ctx,
          access,
          project,
          (await access.task(target.taskId)).task,
        )
      : await createThread(ctx, access, project, {
          title: GENERAL_THREAD_TITLE,
        });
  return (await ctx.db.get("threads", threadId))!;
}

export const vMessageView = v.object({
  id: v.id("messages"),
  authorId: vPrincipalId,
  author: v.string(),
  authorKind: v.union(v.literal("user"), v.literal("agent")),
  kind: vMessageKind,
  body: v.string(),
  event: v.optional(v.string()),
  at: v.string(),
  /** Pass as `after` to read what came later. */
  cursor: v.number(),
});
export type MessageView = Infer<typeof vMessageView>;

/** Resolves principal ids to display names, reading each person or agent once. */
export class PrincipalNames {
  private readonly cache = new Map<
    string,
    { name: string; kind: "user" | "agent" }
  >();
  constructor(private readonly ctx: QueryCtx) {}

  async of(id: PrincipalId): Promise<{ name: string; kind: "user" | "agent" }> {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const userId = this.ctx.db.normalizeId("users", id);
    const agentId = this.ctx.db.normalizeId("agents", id);
    const doc =
      userId !== null
        ? await this.ctx.db.get("users", userId)
        : agentId !== null
          ? await this.ctx.db.get("agents", agentId)
          : null;
    const found = {
      name: doc?.name ?? "(removed)",
      kind: userId !== null ? ("user" as const) : ("agent" as const),
    };
    this.cache.set(id, found);
    return found;
  }
}

export async function messageViews(
  names: PrincipalNames,
  messages: readonly Doc<"messages">[],
): Promise<MessageView[]> {
  const views: MessageView[] = [];
  for (const message of messages) {
    const author = await names.of(message.authorId);
    views.push({
      id: message._id,
      authorId: message.authorId,
      author: author.name,
      authorKind: author.kind,
      kind: message.kind,
      body: message.body,
      event: message.event,
      at: iso(message.createdAt),
      cursor: message._creationTime,
    });
  }
  return views;
}
