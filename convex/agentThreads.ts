/**
 * post_message / read_thread: a task's thread, any thread by id, or (naming
 * neither) the project's general thread, read since a cursor.
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { projectFor } from "./model/agentScope";
import { LIMITS } from "./model/limits";
import {
  ensureThread,
  findThread,
  messageViews,
  PrincipalNames,
  vMessageView,
} from "./model/threadReads";
import { postMessage } from "./model/threads";

const DEFAULT_READ = 30;

export const post = tenantMutation({
  permission: "threads:post",
  args: {
    projectId: v.optional(v.id("projects")),
    threadId: v.optional(v.id("threads")),
    taskId: v.optional(v.id("tasks")),
    body: v.string(),
  },
  returns: v.object({
    threadId: v.id("threads"),
    messageId: v.id("messages"),
    cursor: v.number(),
  }),
  handler: async (ctx, { projectId, threadId, taskId, body }) => {
    const { project } = await projectFor(ctx.access, {
      projectId,
      threadId,
      taskId,
    });
    const thread = await ensureThread(ctx, ctx.access, project, {
      threadId,
      taskId,
    });
    const messageId = await postMessage(ctx, ctx.access, project, thread, {
      kind: "text",
      body,
    });
    const message = (await ctx.db.get("messages", messageId))!;
    return { threadId: thread._id, messageId, cursor: message._creationTime };
  },
});

export const read = tenantQuery({
  permission: "threads:read",
  args: {
    projectId: v.optional(v.id("projects")),
    threadId: v.optional(v.id("threads")),
    taskId: v.optional(v.id("tasks")),
    /** A cursor from an earlier read: only messages after it, oldest first. */
    after: v.optional(v.number()),
    limit: v.optional(v.number()),
  },
  returns: v.object({
    thread: v.union(
      v.null(),
      v.object({
        id: v.id("threads"),
        title: v.string(),
        taskId: v.optional(v.id("tasks")),
      }),
    ),
    messages: v.array(vMessageView),
    /** Later messages (after a cursor) or earlier ones (latest page) exist. */
    hasMore: v.boolean(),
    cursor: v.number(),
  }),
  handler: async (ctx, { projectId, threadId, taskId, after, limit }) => {
    const { project } = await projectFor(ctx.access, {
      projectId,
      threadId,
      taskId,
    });
    const thread = await findThread(ctx, ctx.access, project, {
      threadId,
      taskId,
    });
    if (thread === null) {
      return { thread: null, messages: [], hasMore: false, cursor: after ?? 0 };
    }
    const cap = Math.max(1, Math.min(limit ?? DEFAULT_READ, LIMITS.listPage));
    const rows =
      after === undefined
        ? (
            await ctx.db
              .query("messages")
              .withIndex("by_threadId", (q) => q.eq("threadId", thread._id))
              .order("desc")
              .take(cap + 1)
          ).reverse()
        : await ctx.db
            .query("messages")
            .withIndex("by_threadId", (q) =>
              q.eq("threadId", thread._id).gt("_creationTime", after),
            )
            .take(cap + 1);
    const hasMore = rows.length > cap;
    // The latest page drops its oldest extra row; a page after a cursor its newest.
    const page =
      after === undefined
        ? rows.slice(rows.length - Math.min(rows.length, cap))
        : rows.slice(0, cap);
    const messages = await messageViews(new PrincipalNames(ctx), page);
    return {
      thread: { id: thread._id, title: thread.title, taskId: thread.taskId },
      messages,
      hasMore,
      cursor: messages.at(-1)?.cursor ?? after ?? 0,
    };
  },
});
