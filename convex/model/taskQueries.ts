/**
 * The task list agents filter (list_tasks): by status, by assignee, ready
 * only. Each combination reads one index range; only "ready and assigned to"
 * filters in memory, over a bounded scan, and says so through `hasMore`.
 */
import type { PaginationOptions, PaginationResult } from "convex/server";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import type { PrincipalId, TaskStatus } from "../validators";
import { fail } from "./errors";

export const TASK_LIST = { defaultLimit: 20, maxLimit: 50, scan: 200 } as const;

/** "me" is the caller, "unassigned" nobody; otherwise a person's or agent's id. */
export type AssigneeFilter = "me" | "unassigned" | PrincipalId;

export type TaskFilter = {
  status?: TaskStatus;
  assignee?: AssigneeFilter;
  readyOnly?: boolean;
  limit?: number;
};

export async function listTasks(
  ctx: QueryCtx,
  projectId: Id<"projects">,
  callerId: PrincipalId,
  filter: TaskFilter,
): Promise<{ tasks: Doc<"tasks">[]; hasMore: boolean }> {
  const cap = Math.max(
    1,
    Math.min(
      Math.floor(filter.limit ?? TASK_LIST.defaultLimit),
      TASK_LIST.maxLimit,
    ),
  );
  const { status, readyOnly = false } = filter;
  if (readyOnly && status !== undefined && status !== "todo") {
    fail(
      "INVALID_ARGUMENT",
      'readyOnly lists todo tasks whose dependencies are done: leave status out (or set it to "todo").',
    );
  }
  const assignee = resolveAssignee(filter.assignee, callerId);
  const tasks = ctx.db.query("tasks");

  if (readyOnly) {
    // Priority order, as claim_task picks them.
    const ready = tasks.withIndex(
      "by_projectId_status_openBlockers_priorityRank",
      (q) =>
        q.eq("projectId", projectId).eq("status", "todo").eq("openBlockers", 0),
    );
    if (assignee === null) return capped(await ready.take(cap + 1), cap);
    const scanned = await ready.take(TASK_LIST.scan);
    const matching = scanned.filter((task) => task.assigneeId === assignee.id);
    return {
      tasks: matching.slice(0, cap),
      hasMore: matching.length > cap || scanned.length === TASK_LIST.scan,
    };
  }
  if (assignee !== null) {
    const rows = await tasks
      .withIndex("by_projectId_assigneeId_status", (q) => {
        const mine = q.eq("projectId", projectId).eq("assigneeId", assignee.id);
        return status === undefined ? mine : mine.eq("status", status);
      })
      .take(cap + 1);
    return capped(rows, cap);
  }
  if (status !== undefined) {
    const rows = await tasks
      .withIndex("by_projectId_status_updatedAt", (q) =>
        q.eq("projectId", projectId).eq("status", status),
      )
      .order("desc")
      .take(cap + 1);
    return capped(rows, cap);
  }
  const rows = await tasks
    .withIndex("by_projectId_number", (q) => q.eq("projectId", projectId))
    .order("desc")
    .take(cap + 1);
  return capped(rows, cap);
}

function resolveAssignee(
  filter: AssigneeFilter | undefined,
  callerId: PrincipalId,
): { id: PrincipalId | undefined } | null {
  if (filter === undefined) return null;
  if (filter === "me") return { id: callerId };
  if (filter === "unassigned") return { id: undefined };
  return { id: filter };
}

function capped(
  rows: Doc<"tasks">[],
  cap: number,
): { tasks: Doc<"tasks">[]; hasMore: boolean } {
  return { tasks: rows.slice(0, cap), hasMore: rows.length > cap };
}

/**
 * One page of a project's tasks in one status, most recently changed first
 * (tasks.list, board.column), at most `maxItems` whatever the caller asks.
 */
export async function pageByStatus(
  ctx: QueryCtx,
  projectId: Id<"projects">,
  status: TaskStatus,
  paginationOpts: PaginationOptions,
  maxItems: number,
): Promise<PaginationResult<Doc<"tasks">>> {
  return await ctx.db
    .query("tasks")
    .withIndex("by_projectId_status_updatedAt", (q) =>
      q.eq("projectId", projectId).eq("status", status),
    )
    .order("desc")
    .paginate({
      ...paginationOpts,
      numItems: Math.min(paginationOpts.numItems, maxItems),
    });
}
