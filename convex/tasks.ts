/** Public task functions: thin wrappers over model/tasks.ts and model/leases.ts. */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { claimTask, extendLease, releaseTask } from "./model/leases";
import {
  assignTask,
  createTask,
  editTask,
  moveTask,
  setTaskDependencies,
} from "./model/tasks";
import { pageByStatus } from "./model/taskQueries";
import { vPaginated, vTaskDoc } from "./returns";
import { vPrincipalId, vPriority, vTaskStatus } from "./validators";

export const create = tenantMutation({
  permission: "tasks:write",
  args: {
    projectId: v.id("projects"),
    title: v.string(),
    description: v.optional(v.string()),
    status: v.optional(v.union(v.literal("backlog"), v.literal("todo"))),
    priority: v.optional(vPriority),
    labels: v.optional(v.array(v.string())),
    dependsOn: v.optional(v.array(v.id("tasks"))),
    assigneeId: v.optional(vPrincipalId),
  },
  returns: v.id("tasks"),
  handler: async (ctx, { projectId, ...input }) => {
    const { project } = await ctx.access.project(projectId);
    return await createTask(ctx, ctx.access, project, input);
  },
});

export const get = tenantQuery({
  permission: "tasks:read",
  args: { taskId: v.id("tasks") },
  returns: vTaskDoc,
  handler: async (ctx, { taskId }) => (await ctx.access.task(taskId)).task,
});

export const list = tenantQuery({
  permission: "tasks:read",
  args: {
    projectId: v.id("projects"),
    status: vTaskStatus,
    paginationOpts: paginationOptsValidator,
  },
  returns: vPaginated(vTaskDoc),
  handler: async (ctx, { projectId, status, paginationOpts }) => {
    await ctx.access.project(projectId);
    return await pageByStatus(
      ctx,
      projectId,
      status,
      paginationOpts,
      LIMITS.listPage,
    );
  },
});

export const listReady = tenantQuery({
  permission: "tasks:read",
  args: { projectId: v.id("projects"), limit: v.optional(v.number()) },
  returns: v.array(vTaskDoc),
  handler: async (ctx, { projectId, limit }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("tasks")
      .withIndex("by_projectId_status_openBlockers_priorityRank", (q) =>
        q.eq("projectId", projectId).eq("status", "todo").eq("openBlockers", 0),
      )
      .take(Math.max(1, Math.min(limit ?? 20, LIMITS.listPage)));
  },
});

export const listByAssignee = tenantQuery({
  permission: "tasks:read",
  args: {
    projectId: v.id("projects"),
    assigneeId: vPrincipalId,
    limit: v.optional(v.number()),
  },
  returns: v.array(vTaskDoc),
  handler: async (ctx, { projectId, assigneeId, limit }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("tasks")
      .withIndex("by_projectId_assigneeId_status", (q) =>
        q.eq("projectId", projectId).eq("assigneeId", assigneeId),
      )
      .take(Math.max(1, Math.min(limit ?? 50, LIMITS.listPage)));
  },
});

export const update = tenantMutation({
  permission: "tasks:write",
  args: {
    taskId: v.id("tasks"),
    title: v.optional(v.string()),
    description: v.optional(v.string()),
    priority: v.optional(vPriority),
    labels: v.optional(v.array(v.string())),
    branch: v.optional(v.string()),
    pullRequestUrl: v.optional(v.string()),
  },
  returns: vTaskDoc,
  handler: async (ctx, { taskId, ...edit }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await editTask(ctx, ctx.access, project, task, edit);
  },
});

export const move = tenantMutation({
  permission: "tasks:write",
  args: { taskId: v.id("tasks"), status: vTaskStatus },
  returns: vTaskDoc,
  handler: async (ctx, { taskId, status }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await moveTask(ctx, ctx.access, project, task, status);
  },
});

export const assign = tenantMutation({
  permission: "tasks:write",
  args: { taskId: v.id("tasks"), assigneeId: v.optional(vPrincipalId) },
  returns: vTaskDoc,
  handler: async (ctx, { taskId, assigneeId }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await assignTask(ctx, ctx.access, project, task, assigneeId);
  },
});

export const setDependencies = tenantMutation({
  permission: "tasks:write",
  args: { taskId: v.id("tasks"), dependsOn: v.array(v.id("tasks")) },
  returns: vTaskDoc,
  handler: async (ctx, { taskId, dependsOn }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await setTaskDependencies(ctx, ctx.access, project, task, dependsOn);
  },
});

export const claim = tenantMutation({
  permission: "tasks:claim",
  args: {
    projectId: v.id("projects"),
    /** Claim this task; without it, the next ready task by priority. */
    taskId: v.optional(v.id("tasks")),
    leaseMs: v.optional(v.number()),
  },
  returns: vTaskDoc,
  handler: async (ctx, { projectId, taskId, leaseMs }) => {
    const { project } = await ctx.access.project(projectId);
    const named =
      taskId === undefined ? null : (await ctx.access.task(taskId)).task;
    if (named !== null && named.projectId !== projectId) {
      return fail("INVALID_ARGUMENT", "That task belongs to another project.");
    }
    return await claimTask(ctx, ctx.access, project, named, leaseMs);
  },
});

export const renewLease = tenantMutation({
  permission: "tasks:claim",
  args: { taskId: v.id("tasks"), leaseMs: v.optional(v.number()) },
  returns: vTaskDoc,
  handler: async (ctx, { taskId, leaseMs }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await extendLease(ctx, ctx.access, project, task, leaseMs);
  },
});

export const release = tenantMutation({
  permission: "tasks:claim",
  args: { taskId: v.id("tasks") },
  returns: vTaskDoc,
  handler: async (ctx, { taskId }) => {
    const { project, task } = await ctx.access.task(taskId);
    return await releaseTask(ctx, ctx.access, project, task);
  },
});
