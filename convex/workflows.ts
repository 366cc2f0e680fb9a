/**
 * Workflow definitions: a project's YAML workflows, each save a new version.
 * Parsing, checking and agent resolution: model/workflowRunDefinitions.ts.
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { saveWorkflow } from "./model/workflowRunDefinitions";
import schema from "./schema";
import { vPrincipalId } from "./validators";

const LIST_LIMIT = 100;

const vWorkflowDoc = schema.doc("workflows");

const vWorkflowSummary = v.object({
  _id: v.id("workflows"),
  name: v.string(),
  version: v.number(),
  createdBy: vPrincipalId,
  createdAt: v.number(),
});

/** Saves the YAML as the next version of its `name`; errors carry line numbers. */
export const save = tenantMutation({
  permission: "workflows:manage",
  args: { projectId: v.id("projects"), source: v.string() },
  returns: v.id("workflows"),
  handler: async (ctx, { projectId, source }) => {
    const { project } = await ctx.access.project(projectId);
    return await saveWorkflow(ctx, ctx.access, project, source);
  },
});

/** Every saved version in the project, by name then version (no sources). */
export const list = tenantQuery({
  permission: "tasks:read",
  args: { projectId: v.id("projects") },
  returns: v.array(vWorkflowSummary),
  handler: async (ctx, { projectId }) => {
    await ctx.access.project(projectId);
    const rows = await ctx.db
      .query("workflows")
      .withIndex("by_projectId_name_version", (q) =>
        q.eq("projectId", projectId),
      )
      .take(LIST_LIMIT);
    return rows.map(({ _id, name, version, createdBy, createdAt }) => ({
      _id,
      name,
      version,
      createdBy,
      createdAt,
    }));
  },
});

export const get = tenantQuery({
  permission: "tasks:read",
  args: { workflowId: v.id("workflows") },
  returns: vWorkflowDoc,
  handler: async (ctx, { workflowId }) => {
    const workflow = await ctx.db.get("workflows", workflowId);
    if (workflow === null) fail("NOT_FOUND", "Workflow not found.");
    await ctx.access.project(workflow.projectId);
    return workflow;
  },
});
