/** Public thread functions: per-project and per-task conversations. */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { LIMITS } from "./model/limits";
import { createThread, ensureTaskThread } from "./model/threads";
import { vPaginated, vThreadDoc } from "./returns";

export const create = tenantMutation({
  permission: "threads:post",
  args: {
    projectId: v.id("projects"),
    title: v.string(),
    taskId: v.optional(v.id("tasks")),
  },
  returns: v.id("threads"),
  handler: async (ctx, { projectId, ...input }) => {
    const { project } = await ctx.access.project(projectId);
    return await createThread(ctx, ctx.access, project, input);
  },
});

export const ensureForTask = tenantMutation({
  permission: "threads:post",
  args: { taskId: v.id("tasks") },
  returns: v.id("threads"),
  handler: async (ctx, { taskId }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await ensureTaskThread(ctx, ctx.access, project, task);
  },
});

export const get = tenantQuery({
  permission: "threads:read",
  args: { threadId: v.id("threads") },
  returns: vThreadDoc,
  handler: async (ctx, { threadId }) =>
    (await ctx.access.thread(threadId)).thread,
});

export const forTask = tenantQuery({
  permission: "threads:read",
  args: { taskId: v.id("tasks") },
  returns: v.union(vThreadDoc, v.null()),
  handler: async (ctx, { taskId }) => {
    await ctx.access.task(taskId);
    return await ctx.db
      .query("threads")
      .withIndex("by_taskId", (q) => q.eq("taskId", taskId))
      .first();
  },
});

/** Most recently active first. */
export const list = tenantQuery({
  permission: "threads:read",
  args: {
    projectId: v.id("projects"),
    paginationOpts: paginationOptsValidator,
  },
  returns: vPaginated(vThreadDoc),
  handler: async (ctx, { projectId, paginationOpts }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("threads")
      .withIndex("by_projectId_lastMessageAt", (q) =>
        q.eq("projectId", projectId),
      )
      .order("desc")
      .paginate({
        ...paginationOpts,
        numItems: Math.min(paginationOpts.numItems, LIMITS.listPage),
      });
  },
});
