/**
 * GitHub, public side: which repositories' pull requests may move a
 * project's tasks, and what the webhook did with them. The webhook itself is
 * convex/githubWebhooks.ts.
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { actorOf, recordAudit } from "./model/audit";
import { requireRange } from "./model/checks";
import { fail } from "./model/errors";
import { normalizeRepository } from "./model/githubWebhook";
import { LIMITS } from "./model/limits";
import schema from "./schema";
import { vGithubEventStatus } from "./tables/github";

/** Repositories one project may link: a monorepo or a handful, not an org's hundreds. */
const MAX_REPOSITORIES_PER_PROJECT = 20;

const vGithubRepositoryDoc = schema.doc("githubRepositories");

/** One processed delivery as a project's list shows it (no raw payload). */
const vGithubEventSummary = v.object({
  _id: v.id("githubEvents"),
  deliveryId: v.string(),
  event: v.string(),
  action: v.optional(v.string()),
  status: vGithubEventStatus,
  note: v.optional(v.string()),
  taskId: v.optional(v.id("tasks")),
  taskKey: v.optional(v.string()),
  receivedAt: v.number(),
});

export const linkRepository = tenantMutation({
  permission: "projects:manage",
  args: { projectId: v.id("projects"), repository: v.string() },
  returns: v.id("githubRepositories"),
  handler: async (ctx, { projectId, repository: input }) => {
    const { project } = await ctx.access.project(projectId);
    const repository = normalizeRepository(input);
    const linked = await ctx.db
      .query("githubRepositories")
      .withIndex("by_projectId_repository", (q) => q.eq("projectId", projectId))
      .take(MAX_REPOSITORIES_PER_PROJECT);
    if (linked.some((link) => link.repository === repository)) {
      fail(
        "ALREADY_EXISTS",
        `${repository} is already linked to this project.`,
      );
    }
    if (linked.length >= MAX_REPOSITORIES_PER_PROJECT) {
      fail(
        "INVALID_ARGUMENT",
        `A project links at most ${MAX_REPOSITORIES_PER_PROJECT} repositories.`,
      );
    }
    const linkId = await ctx.db.insert("githubRepositories", {
      projectId,
      orgId: project.orgId,
      repository,
      linkedBy: ctx.access.principal.id,
      linkedAt: Date.now(),
    });
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: project.orgId,
      action: "project.github_link",
      entity: "project",
      entityId: projectId,
      after: { repository },
    });
    return linkId;
  },
});

export const unlinkRepository = tenantMutation({
  permission: "projects:manage",
  args: { projectId: v.id("projects"), repository: v.string() },
  returns: v.null(),
  handler: async (ctx, { projectId, repository: input }) => {
    const { project } = await ctx.access.project(projectId);
    const repository = normalizeRepository(input);
    const link = await ctx.db
      .query("githubRepositories")
      .withIndex("by_projectId_repository", (q) =>
        q.eq("projectId", projectId).eq("repository", repository),
      )
      .first();
    if (link === null) {
      fail("NOT_FOUND", `${repository} is not linked to this project.`);
    }
    await ctx.db.delete("githubRepositories", link._id);
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: project.orgId,
      action: "project.github_unlink",
      entity: "project",
      entityId: projectId,
      before: { repository },
    });
    return null;
  },
});

export const listRepositories = tenantQuery({
  permission: "projects:read",
  args: { projectId: v.id("projects") },
  returns: v.array(vGithubRepositoryDoc),
  handler: async (ctx, { projectId }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("githubRepositories")
      .withIndex("by_projectId_repository", (q) => q.eq("projectId", projectId))
      .take(MAX_REPOSITORIES_PER_PROJECT);
  },
});

/** The project's most recent webhook deliveries and what they did, newest first. */
export const events = tenantQuery({
  permission: "projects:read",
  args: { projectId: v.id("projects"), limit: v.optional(v.number()) },
  returns: v.array(vGithubEventSummary),
  handler: async (ctx, { projectId, limit }) => {
    await ctx.access.project(projectId);
    const rows = await ctx.db
      .query("githubEvents")
      .withIndex("by_projectId_receivedAt", (q) => q.eq("projectId", projectId))
      .order("desc")
      .take(Math.floor(requireRange("limit", limit ?? 20, 1, LIMITS.listPage)));
    return rows.map((row) => ({
      _id: row._id,
      deliveryId: row.deliveryId,
      event: row.event,
      action: row.action,
      status: row.status,
      note: row.note,
      taskId: row.taskId,
      taskKey: row.taskKey,
      receivedAt: row.receivedAt,
    }));
  },
});
