/**
 * Demo data for a fresh deployment: agents, tasks with dependencies, a
 * conversation and a pending approval, in an existing project. Internal: the
 * local backend's `seed` command (and later the extension's Seed Demo Data)
 * runs it with the deployment's admin key. Everything is created through the
 * same model functions as real use, acting as the org's owner, so the audit
 * log and all denormalized fields are right.
 */
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { internalMutation } from "./_generated/server";
import { createAccess } from "./model/access";
import { insertAgent } from "./model/agents";
import { requestApproval } from "./model/approvals";
import { fail } from "./model/errors";
import { claimTask } from "./model/leases";
import { createTask, moveTask } from "./model/tasks";
import { createThread, postMessage } from "./model/threads";

export const seed = internalMutation({
  args: { projectId: v.optional(v.id("projects")) },
  returns: v.object({ projectId: v.id("projects"), tasks: v.number() }),
  handler: async (ctx, args) => {
    const project =
      args.projectId === undefined
        ? await ctx.db.query("projects").first()
        : await ctx.db.get("projects", args.projectId);
    if (project === null)
      fail("NOT_FOUND", "No project to seed: bootstrap the deployment first.");
    const owner = await ctx.db
      .query("memberships")
      .withIndex("by_orgId_role", (q) =>
        q.eq("orgId", project.orgId).eq("role", "owner"),
      )
      .first();
    const user =
      owner === null ? null : await ctx.db.get("users", owner.userId);
    if (user === null) fail("NOT_FOUND", "The project's org has no owner.");
    const access = createAccess(
      ctx,
      { kind: "user", id: user._id, user },
      "tasks:write",
    );

    const planner = await insertAgent(ctx, access, project.orgId, {
      name: `planner-${project.nextTaskNumber}`,
      instructions: "Break work into small tasks with clear dependencies.",
    });
    const task = async (
      title: string,
      priority: "urgent" | "high" | "medium" | "low",
      dependsOn: Id<"tasks">[] = [],
    ) =>
      // Re-read: createTask takes the task number from the project document it is
      // given, and each call advances it.
      await createTask(
        ctx,
        access,
        (await ctx.db.get("projects", project._id))!,
        {
          title,
          description: `Demo task: ${title}.`,
          priority,
          labels: ["demo"],
          dependsOn,
        },
      );
    const schema = await task("Design the data model", "high");
    const api = await task("Write the public functions", "high", [schema]);
    await task("Build the task board", "medium", [api]);
    const docs = await task("Document the MCP tools", "low");
    await task("Set up CI", "urgent");
    const done = (await ctx.db.get("tasks", schema))!;
    await moveTask(
      ctx,
      access,
      project,
      await claimTask(ctx, access, project, done, undefined),
      "done",
    );

    const threadId = await createThread(ctx, access, project, {
      title: "Planning the first milestone",
    });
    const thread = (await ctx.db.get("threads", threadId))!;
    await postMessage(ctx, access, project, thread, {
      kind: "text",
      body: `The data model is done; the API (${project.key}) is next.`,
    });
    await requestApproval(ctx, access, project, {
      taskId: docs,
      kind: "tool_use",
      summary: `Agent planner asks to run \`npm publish --dry-run\` (agent ${planner})`,
      details: "Checks the package contents before the first release.",
    });
    return { projectId: project._id, tasks: 5 };
  },
});
