/**
 * What the Task Board and the sidebar's Tasks view read: compact cards, one
 * status column a page at a time (a board with thousands of tasks loads the
 * first page of each column and the rest as the person scrolls), and the names
 * behind assignee ids.
 */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { tenantQuery } from "./functions";
import { toBoardCard, vBoardCard } from "./model/boardCards";
import { LIMITS } from "./model/limits";
import { pageByStatus } from "./model/taskQueries";
import { vPaginated } from "./returns";
import { vPrincipalId, vTaskStatus } from "./validators";

export const column = tenantQuery({
  permission: "tasks:read",
  args: {
    projectId: v.id("projects"),
    status: vTaskStatus,
    paginationOpts: paginationOptsValidator,
  },
  returns: vPaginated(vBoardCard),
  handler: async (ctx, { projectId, status, paginationOpts }) => {
    await ctx.access.project(projectId);
    const page = await pageByStatus(
      ctx,
      projectId,
      status,
      paginationOpts,
      LIMITS.boardPage,
    );
    return { ...page, page: page.page.map(toBoardCard) };
  },
});

const vPerson = v.object({
  id: vPrincipalId,
  kind: v.union(v.literal("user"), v.literal("agent")),
  name: v.string(),
});

/** Everyone a task can be assigned to in the project's org, people first. */
export const people = tenantQuery({
  permission: "tasks:read",
  args: { projectId: v.id("projects") },
  returns: v.array(vPerson),
  handler: async (ctx, { projectId }) => {
    const { project } = await ctx.access.project(projectId);
    const memberships = await ctx.db
      .query("memberships")
      .withIndex("by_orgId_userId", (q) => q.eq("orgId", project.orgId))
      .take(LIMITS.listPage);
    const people = [];
    for (const membership of memberships) {
      const user = await ctx.db.get("users", membership.userId);
      if (user !== null)
        people.push({ id: user._id, kind: "user" as const, name: user.name });
    }
    const agents = await ctx.db
      .query("agents")
      .withIndex("by_orgId_name", (q) => q.eq("orgId", project.orgId))
      .take(LIMITS.listPage);
    for (const agent of agents)
      people.push({ id: agent._id, kind: "agent" as const, name: agent.name });
    return people;
  },
});
