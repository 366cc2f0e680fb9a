/** Public agent functions. */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { insertAgent } from "./model/agents";
import { vAgentDoc } from "./returns";
import { vAgentKind, vTrustLevel } from "./validators";

export const create = tenantMutation({
  permission: "agents:manage",
  args: {
    orgId: v.id("orgs"),
    name: v.string(),
    instructions: v.optional(v.string()),
    kind: v.optional(vAgentKind),
    trustLevel: v.optional(vTrustLevel),
    defaultScopes: v.optional(v.array(v.string())),
  },
  returns: v.id("agents"),
  handler: async (ctx, { orgId, ...input }) => {
    await ctx.access.org(orgId);
    return await insertAgent(ctx, ctx.access, orgId, input);
  },
});

export const get = tenantQuery({
  permission: "agents:read",
  args: { agentId: v.id("agents") },
  returns: vAgentDoc,
  handler: async (ctx, { agentId }) => {
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    await ctx.access.org(agent.orgId);
    return agent;
  },
});

export const list = tenantQuery({
  permission: "agents:read",
  args: { orgId: v.id("orgs") },
  returns: v.array(vAgentDoc),
  handler: async (ctx, { orgId }) => {
    await ctx.access.org(orgId);
    return await ctx.db
      .query("agents")
      .withIndex("by_orgId_name", (q) => q.eq("orgId", orgId))
      .take(LIMITS.listPage);
  },
});

/**
 * The sidebar's Agents view: each agent of the project's org with the task it
 * is working on in this project (if any) and when it last did something
 * (its newest audit event).
 */
export const activity = tenantQuery({
  permission: "agents:read",
  args: { projectId: v.id("projects") },
  returns: v.array(
    v.object({
      agentId: v.id("agents"),
      name: v.string(),
      kind: vAgentKind,
      trustLevel: vTrustLevel,
      currentTask: v.union(
        v.object({
          taskId: v.id("tasks"),
          number: v.number(),
          title: v.string(),
        }),
        v.null(),
      ),
      lastActiveAt: v.union(v.number(), v.null()),
    }),
  ),
  handler: async (ctx, { projectId }) => {
    const { project } = await ctx.access.project(projectId);
    const agents = await ctx.db
      .query("agents")
      .withIndex("by_orgId_name", (q) => q.eq("orgId", project.orgId))
      .take(LIMITS.listPage);
    return await Promise.all(
      agents.map(async (agent) => {
        const task = await ctx.db
          .query("tasks")
          .withIndex("by_projectId_assigneeId_status", (q) =>
            q
              .eq("projectId", projectId)
              .eq("assigneeId", agent._id)
              .eq("status", "in_progress"),
          )
          .first();
        const lastEvent = await ctx.db
          .query("auditEvents")
          .withIndex("by_orgId_actor_at", (q) =>
            q.eq("orgId", project.orgId).eq("actor", agent._id),
          )
          .order("desc")
          .first();
        return {
          agentId: agent._id,
          name: agent.name,
          kind: agent.kind,
          trustLevel: agent.trustLevel,
          currentTask:
            task === null
              ? null
              : { taskId: task._id, number: task.number, title: task.title },
          lastActiveAt: lastEvent?.at ?? null,
        };
      }),
    );
  },
});
