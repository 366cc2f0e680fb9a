/**
 * Task dependencies: `tasks.dependsOn` is the truth, `taskDependencies` its
 * reverse index, and `tasks.openBlockers` the count of unfinished blockers.
 * All three change only here, together.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { fail } from "./errors";
import { LIMITS } from "./limits";

/**
 * Rejects a dependency set that would close a cycle: walks what each new
 * blocker depends on (transitively) looking for `taskId`.
 */
export async function assertNoCycle(
  ctx: QueryCtx,
  taskId: Id<"tasks">,
  blockerIds: readonly Id<"tasks">[],
): Promise<void> {
  const seen = new Set<Id<"tasks">>();
  const frontier = [...blockerIds];
  while (frontier.length > 0) {
    const current = frontier.pop()!;
    if (current === taskId) {
      fail("DEPENDENCY_CYCLE", "That dependency would create a cycle.");
    }
    if (seen.has(current)) continue;
    seen.add(current);
    if (seen.size > LIMITS.dependencyGraphVisit) {
      fail(
        "INVALID_ARGUMENT",
        `The dependency graph is larger than ${LIMITS.dependencyGraphVisit} tasks; split the project.`,
      );
    }
    const doc = await ctx.db.get("tasks", current);
    if (doc !== null) frontier.push(...doc.dependsOn);
  }
}

/** Checks a proposed dependency list and returns it de-duplicated with the blockers. */
export async function loadBlockers(
  ctx: QueryCtx,
  task: { _id?: Id<"tasks">; projectId: Id<"projects"> },
  dependsOn: readonly Id<"tasks">[],
): Promise<Doc<"tasks">[]> {
  const unique = [...new Set(dependsOn)];
  if (unique.length > LIMITS.dependencies) {
    fail(
      "INVALID_ARGUMENT",
      `A task may depend on at most ${LIMITS.dependencies} tasks.`,
    );
  }
  const blockers: Doc<"tasks">[] = [];
  for (const blockerId of unique) {
    if (blockerId === task._id)
      fail("DEPENDENCY_CYCLE", "A task cannot depend on itself.");
    const blocker = await ctx.db.get("tasks", blockerId);
    if (blocker === null || blocker.projectId !== task.projectId) {
      fail(
        "INVALID_ARGUMENT",
        "Dependencies must be tasks of the same project.",
      );
    }
    blockers.push(blocker);
  }
  return blockers;
}

export function countOpen(blockers: readonly Doc<"tasks">[]): number {
  return blockers.filter((blocker) => blocker.status !== "done").length;
}

/** Writes the reverse-index rows for a task's new blockers and drops the old ones. */
export async function syncDependencyEdges(
  ctx: MutationCtx,
  taskId: Id<"tasks">,
  previous: readonly Id<"tasks">[],
  next: readonly Id<"tasks">[],
): Promise<void> {
  for (const blockerId of previous.filter((id) => !next.includes(id))) {
    const edge = await ctx.db
      .query("taskDependencies")
      .withIndex("by_taskId_blockerId", (q) =>
        q.eq("taskId", taskId).eq("blockerId", blockerId),
      )
      .unique();
    if (edge !== null) await ctx.db.delete("taskDependencies", edge._id);
  }
  for (const blockerId of next.filter((id) => !previous.includes(id))) {
    const dependents = await ctx.db
      .query("taskDependencies")
      .withIndex("by_blockerId", (q) => q.eq("blockerId", blockerId))
      .take(LIMITS.dependents);
    if (dependents.length >= LIMITS.dependents) {
      fail(
        "INVALID_ARGUMENT",
        `A task may block at most ${LIMITS.dependents} others.`,
      );
    }
    await ctx.db.insert("taskDependencies", { taskId, blockerId });
  }
}

/**
 * Keeps dependents' `openBlockers` right when a task enters or leaves "done".
 * Bounded: `syncDependencyEdges` caps how many tasks one task can block.
 */
export async function propagateDone(
  ctx: MutationCtx,
  blockerId: Id<"tasks">,
  wasDone: boolean,
  isDone: boolean,
): Promise<void> {
  if (wasDone === isDone) return;
  const delta = isDone ? -1 : 1;
  const edges = await ctx.db
    .query("taskDependencies")
    .withIndex("by_blockerId", (q) => q.eq("blockerId", blockerId))
    .take(LIMITS.dependents);
  for (const edge of edges) {
    const dependent = await ctx.db.get("tasks", edge.taskId);
    if (dependent === null) continue;
    await ctx.db.patch("tasks", dependent._id, {
      openBlockers: Math.max(0, dependent.openBlockers + delta),
    });
  }
}
