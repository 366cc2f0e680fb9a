/**
 * Tasks as agents use them (list_tasks, claim_task, update_task, create_task):
 * thin wrappers whose arguments are exactly the MCP tools' inputs and whose
 * results are compact task views (model/views.ts).
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { callerProject, requireSameProject } from "./model/agentScope";
import { claimTask } from "./model/leases";
import { listTasks } from "./model/taskQueries";
import { reportProgress } from "./model/taskProgress";
import { createTask } from "./model/tasks";
import { iso, taskView, vTaskView } from "./model/views";
import { vPrincipalId, vPriority, vTaskStatus } from "./validators";

export const list = tenantQuery({
  permission: "tasks:read",
  args: {
    projectId: v.optional(v.id("projects")),
    status: v.optional(vTaskStatus),
    assignee: v.optional(
      v.union(v.literal("me"), v.literal("unassigned"), vPrincipalId),
    ),
    readyOnly: v.optional(v.boolean()),
    limit: v.optional(v.number()),
  },
  returns: v.object({ tasks: v.array(vTaskView), hasMore: v.boolean() }),
  handler: async (ctx, { projectId, ...filter }) => {
    const { project } = await callerProject(ctx.access, projectId);
    const me = ctx.access.principal.id;
    const { tasks, hasMore } = await listTasks(ctx, project._id, me, filter);
    return {
      tasks: tasks.map((task) => taskView(project, task, me, { full: false })),
      hasMore,
    };
  },
});

export const get = tenantQuery({
  permission: "tasks:read",
  args: { taskId: v.id("tasks") },
  returns: vTaskView,
  handler: async (ctx, { taskId }) => {
    const { project, task } = await ctx.access.task(taskId);
    return taskView(project, task, ctx.access.principal.id, { full: true });
  },
});

export const claim = tenantMutation({
  permission: "tasks:claim",
  args: {
    projectId: v.optional(v.id("projects")),
    /** Claim this task; without it, the next ready task by priority. */
    taskId: v.optional(v.id("tasks")),
    leaseMs: v.optional(v.number()),
  },
  returns: v.object({ task: vTaskView, leaseExpiresAt: v.string() }),
  handler: async (ctx, { projectId, taskId, leaseMs }) => {
    const { project } = await callerProject(ctx.access, projectId);
    const named =
      taskId === undefined ? null : (await ctx.access.task(taskId)).task;
    if (named !== null) requireSameProject(named, project._id);
    const me = ctx.access.principal.id;
    const task = await claimTask(ctx, ctx.access, project, named, leaseMs);
    return {
      task: taskView(project, task, me, { full: true }),
      leaseExpiresAt: iso(task.lease!.expiresAt),
    };
  },
});

export const update = tenantMutation({
  permission: "tasks:write",
  args: {
    taskId: v.id("tasks"),
    status: v.optional(vTaskStatus),
    /** A progress note, posted to the task's thread. */
    note: v.optional(v.string()),
    branch: v.optional(v.string()),
    pullRequestUrl: v.optional(v.string()),
    leaseMs: v.optional(v.number()),
  },
  returns: v.object({
    task: vTaskView,
    leaseRenewed: v.boolean(),
    threadId: v.optional(v.id("threads")),
    messageId: v.optional(v.id("messages")),
  }),
  handler: async (ctx, { taskId, ...input }) => {
    const { project, task } = await ctx.access.task(taskId);
    const result = await reportProgress(ctx, ctx.access, project, task, input);
    return {
      ...result,
      task: taskView(project, result.task, ctx.access.principal.id, {
        full: true,
      }),
    };
  },
});

export const create = tenantMutation({
  permission: "tasks:write",
  args: {
    projectId: v.optional(v.id("projects")),
    title: v.string(),
    description: v.optional(v.string()),
    priority: v.optional(vPriority),
    labels: v.optional(v.array(v.string())),
    /** Tasks that must be done before this one is ready. */
    dependsOn: v.optional(v.array(v.id("tasks"))),
    /** Makes it a subtask of this task. */
    parentId: v.optional(v.id("tasks")),
    status: v.optional(v.union(v.literal("backlog"), v.literal("todo"))),
  },
  returns: vTaskView,
  handler: async (ctx, { projectId, ...input }) => {
    const { project } = await callerProject(ctx.access, projectId);
    const taskId = await createTask(ctx, ctx.access, project, input);
    const task = (await ctx.db.get("tasks", taskId))!;
    return taskView(project, task, ctx.access.principal.id, { full: true });
  },
});
