/**
 * get_context: the first thing an agent asks. Who am I, where do I work, what
 * am I working on (with the lease), and how much budget is left.
 */
import { v } from "convex/values";
import { tenantQuery } from "./functions";
import { callerProject, currentTasks } from "./model/agentScope";
import { envelopesFor } from "./model/budgets";
import { budgetView, taskView, vBudgetView, vTaskView } from "./model/views";
import { vPrincipalId } from "./validators";

/** Enough to see what the caller is doing without another call; the rest is list_tasks. */
const CURRENT_TASKS = 5;

export const get = tenantQuery({
  permission: "org:read",
  args: {
    /** Agents may leave it out: their token's project. */
    projectId: v.optional(v.id("projects")),
  },
  returns: v.object({
    me: v.object({
      kind: v.union(v.literal("user"), v.literal("agent")),
      id: vPrincipalId,
      name: v.string(),
      /** The agent's standing instructions, set by people. */
      instructions: v.optional(v.string()),
      /** What this agent token may do. */
      scopes: v.optional(v.array(v.string())),
    }),
    org: v.object({ id: v.id("orgs"), name: v.string() }),
    project: v.object({
      id: v.id("projects"),
      name: v.string(),
      key: v.string(),
    }),
    currentTasks: v.array(vTaskView),
    budgets: v.array(vBudgetView),
  }),
  handler: async (ctx, { projectId }) => {
    const { project } = await callerProject(ctx.access, projectId);
    const { org } = await ctx.access.org(project.orgId);
    const principal = ctx.access.principal;
    const me =
      principal.kind === "user"
        ? { kind: "user" as const, id: principal.id, name: principal.user.name }
        : {
            kind: "agent" as const,
            id: principal.id,
            name: principal.agent.name,
            instructions: principal.agent.instructions,
            scopes: [...principal.scopes],
          };
    const tasks = await currentTasks(
      ctx,
      project._id,
      principal.id,
      CURRENT_TASKS,
    );
    return {
      me,
      org: { id: org._id, name: org.name },
      project: { id: project._id, name: project.name, key: project.key },
      currentTasks: tasks.map((task) =>
        taskView(project, task, principal.id, { full: true }),
      ),
      budgets: (await envelopesFor(ctx, project, principal)).map(budgetView),
    };
  },
});
