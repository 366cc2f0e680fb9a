/**
 * Defaults the agent-facing functions share. An agent token is limited to one
 * project, so agents may leave `projectId` out; people (who may belong to many
 * projects) must name it. "My current task" is the task the caller works on
 * under its own lease, which lets tools like report_usage and request_approval
 * bind to it without the model repeating the id.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import type { PrincipalId } from "../validators";
import type { Access, ProjectAccess } from "./access";
import { fail } from "./errors";

/** The project a call acts in: the one named, or the agent token's own. */
export async function callerProject(
  access: Access,
  projectId: Id<"projects"> | undefined,
): Promise<ProjectAccess> {
  if (projectId !== undefined) return await access.project(projectId);
  const principal = access.principal;
  if (principal.kind === "agent") {
    return await access.project(principal.token.projectId);
  }
  fail(
    "INVALID_ARGUMENT",
    "projectId is required: only agents have a default project (their token's).",
  );
}

/**
 * The project of a call about a thread or task: named outright, else the
 * thread's or task's own (read through access, so an agent still stays in
 * its token's project), else the caller's default.
 */
export async function projectFor(
  access: Access,
  target: {
    projectId?: Id<"projects">;
    threadId?: Id<"threads">;
    taskId?: Id<"tasks">;
  },
): Promise<ProjectAccess> {
  if (target.projectId !== undefined) {
    return await access.project(target.projectId);
  }
  if (target.threadId !== undefined)
    return await access.thread(target.threadId);
  if (target.taskId !== undefined) return await access.task(target.taskId);
  return await callerProject(access, undefined);
}

/** Tasks assigned to the caller that are being worked on (in progress first). */
export async function currentTasks(
  ctx: QueryCtx,
  projectId: Id<"projects">,
  principalId: PrincipalId,
  limit: number,
): Promise<Doc<"tasks">[]> {
  const found: Doc<"tasks">[] = [];
  for (const status of ["in_progress", "in_review"] as const) {
    if (found.length >= limit) break;
    const rows = await ctx.db
      .query("tasks")
      .withIndex("by_projectId_assigneeId_status", (q) =>
        q
          .eq("projectId", projectId)
          .eq("assigneeId", principalId)
          .eq("status", status),
      )
      .take(limit - found.length);
    found.push(...rows);
  }
  return found;
}

/**
 * The task a call is about when it names none: the caller's one task under
 * its own lease. Null when there is none, or several (then it must say which).
 */
export async function defaultTask(
  ctx: QueryCtx,
  projectId: Id<"projects">,
  principalId: PrincipalId,
): Promise<Doc<"tasks"> | null> {
  const held = (await currentTasks(ctx, projectId, principalId, 3)).filter(
    (task) => task.lease?.holderId === principalId,
  );
  return held.length === 1 ? held[0]! : null;
}

/** Checks that a task named by id lives in the project the call acts in. */
export function requireSameProject(
  task: Doc<"tasks">,
  projectId: Id<"projects">,
  field = "taskId",
): void {
  if (task.projectId !== projectId) {
    fail("INVALID_ARGUMENT", `${field} names a task of another project.`);
  }
}
