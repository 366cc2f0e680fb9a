/** Public message functions: post to a thread, read it page by page or since a point. */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { LIMITS } from "./model/limits";
import { postMessage } from "./model/threads";
import { vMessageDoc, vPaginated } from "./returns";

export const post = tenantMutation({
  permission: "threads:post",
  args: {
    threadId: v.id("threads"),
    body: v.string(),
    kind: v.optional(v.union(v.literal("text"), v.literal("tool"))),
  },
  returns: v.id("messages"),
  handler: async (ctx, { threadId, body, kind }) => {
    const { project, thread } = await ctx.access.thread(threadId);
    return await postMessage(ctx, ctx.access, project, thread, {
      kind: kind ?? "text",
      body,
    });
  },
});

/** Marks an agent session's start or end on the thread, so people see who is working. */
export const postSessionEvent = tenantMutation({
  permission: "threads:post",
  args: {
    threadId: v.id("threads"),
    event: v.union(v.literal("session_start"), v.literal("session_end")),
    sessionId: v.string(),
    note: v.optional(v.string()),
  },
  returns: v.id("messages"),
  handler: async (ctx, { threadId, event, sessionId, note }) => {
    const { project, thread } = await ctx.access.thread(threadId);
    return await postMessage(ctx, ctx.access, project, thread, {
      kind: "event",
      event,
      sessionId,
      body: note ?? "",
    });
  },
});

/** Newest first, for scrolling back through history. */
export const list = tenantQuery({
  permission: "threads:read",
  args: { threadId: v.id("threads"), paginationOpts: paginationOptsValidator },
  returns: vPaginated(vMessageDoc),
  handler: async (ctx, { threadId, paginationOpts }) => {
    await ctx.access.thread(threadId);
    return await ctx.db
      .query("messages")
      .withIndex("by_threadId", (q) => q.eq("threadId", threadId))
      .order("desc")
      .paginate({
        ...paginationOpts,
        numItems: Math.min(paginationOpts.numItems, LIMITS.listPage),
      });
  },
});

/**
 * Oldest first after a cursor (the `_creationTime` of the last message seen;
 * 0 for the start), capped, for agents catching up on a thread.
 */
export const listSince = tenantQuery({
  permission: "threads:read",
  args: {
    threadId: v.id("threads"),
    after: v.number(),
    limit: v.optional(v.number()),
  },
  returns: v.object({ messages: v.array(vMessageDoc), hasMore: v.boolean() }),
  handler: async (ctx, { threadId, after, limit }) => {
    await ctx.access.thread(threadId);
    const cap = Math.max(1, Math.min(limit ?? 50, LIMITS.listPage));
    const rows = await ctx.db
      .query("messages")
      .withIndex("by_threadId", (q) =>
        q.eq("threadId", threadId).gt("_creationTime", after),
      )
      .take(cap + 1);
    return { messages: rows.slice(0, cap), hasMore: rows.length > cap };
  },
});
