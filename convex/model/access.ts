/**
 * Authorization for one function call. The custom-function layer
 * (convex/functions.ts) builds an `Access` for the permission the function
 * declares; handlers reach tenant data only through its methods, which check
 * that permission in the org (and, for agents, the project) that owns the
 * document before returning it.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { fail } from "./errors";
import { roleGrants, type Permission } from "./permissions";
import type { Principal } from "./principals";
import type { Role } from "../validators";

export type Access = {
  principal: Principal;
  permission: Permission;
  /** The caller's role in an org; agents act with no role of their own. */
  org(orgId: Id<"orgs">): Promise<{ org: Doc<"orgs">; role: Role | null }>;
  project(projectId: Id<"projects">): Promise<ProjectAccess>;
  task(taskId: Id<"tasks">): Promise<ProjectAccess & { task: Doc<"tasks"> }>;
  thread(
    threadId: Id<"threads">,
  ): Promise<ProjectAccess & { thread: Doc<"threads"> }>;
  approval(
    approvalId: Id<"approvals">,
  ): Promise<ProjectAccess & { approval: Doc<"approvals"> }>;
};

export type ProjectAccess = {
  project: Doc<"projects">;
  role: Role | null;
};

export function createAccess(
  ctx: QueryCtx,
  principal: Principal,
  permission: Permission,
): Access {
  // Agents are checked against their token's scopes before any tenant read.
  if (principal.kind === "agent" && !principal.scopes.has(permission)) {
    fail("FORBIDDEN", `This agent token lacks the "${permission}" scope.`);
  }

  async function org(orgId: Id<"orgs">) {
    if (principal.kind === "agent") {
      if (principal.agent.orgId !== orgId) denyTenant();
      const doc = await ctx.db.get("orgs", orgId);
      if (doc === null) fail("NOT_FOUND", "Org not found.");
      return { org: doc, role: null };
    }
    const membership = await ctx.db
      .query("memberships")
      .withIndex("by_orgId_userId", (q) =>
        q.eq("orgId", orgId).eq("userId", principal.id),
      )
      .unique();
    if (membership === null) denyTenant();
    if (!roleGrants(membership.role, permission)) {
      fail(
        "FORBIDDEN",
        `Your role "${membership.role}" does not allow "${permission}" in this org.`,
      );
    }
    const doc = await ctx.db.get("orgs", orgId);
    if (doc === null) fail("NOT_FOUND", "Org not found.");
    return { org: doc, role: membership.role };
  }

  async function project(projectId: Id<"projects">): Promise<ProjectAccess> {
    if (principal.kind === "agent" && principal.token.projectId !== projectId) {
      fail("FORBIDDEN", "This agent token is limited to another project.");
    }
    const doc = await ctx.db.get("projects", projectId);
    if (doc === null) fail("NOT_FOUND", "Project not found.");
    const { role } = await org(doc.orgId);
    return { project: doc, role };
  }

  async function task(taskId: Id<"tasks">) {
    const doc = await ctx.db.get("tasks", taskId);
    if (doc === null) fail("NOT_FOUND", "Task not found.");
    const access = await project(doc.projectId);
    // A sandbox's token may read the project but change only its own task.
    const taskScope =
      principal.kind === "agent" ? principal.token.taskId : undefined;
    if (
      taskScope !== undefined &&
      taskScope !== taskId &&
      !permission.endsWith(":read")
    ) {
      fail("FORBIDDEN", "This sandbox token may only change its own task.");
    }
    return { ...access, task: doc };
  }

  async function thread(threadId: Id<"threads">) {
    const doc = await ctx.db.get("threads", threadId);
    if (doc === null) fail("NOT_FOUND", "Thread not found.");
    return { ...(await project(doc.projectId)), thread: doc };
  }

  async function approval(approvalId: Id<"approvals">) {
    const doc = await ctx.db.get("approvals", approvalId);
    if (doc === null) fail("NOT_FOUND", "Approval not found.");
    return { ...(await project(doc.projectId)), approval: doc };
  }

  return { principal, permission, org, project, task, thread, approval };
}

/** Same answer for "no such tenant" and "not yours", so ids do not leak membership. */
function denyTenant(): never {
  fail("FORBIDDEN", "You are not a member of the org that owns this.");
}
