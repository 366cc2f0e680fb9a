/**
 * GitHub webhooks: which repositories may touch which projects, and every
 * delivery received, kept raw so a processing bug can be understood later.
 */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vPrincipalId } from "../validators";

export const vGithubEventStatus = v.union(
  v.literal("pending"),
  v.literal("processed"),
  v.literal("ignored"),
  v.literal("failed"),
);

export const githubTables = {
  /** A repository linked to a project: its pull requests may move that project's tasks. */
  githubRepositories: defineTable({
    projectId: v.id("projects"),
    orgId: v.id("orgs"),
    /** "owner/name", lowercased: GitHub compares repository names case-insensitively. */
    repository: v.string(),
    linkedBy: vPrincipalId,
    linkedAt: v.number(),
  })
    .index("by_repository_projectId", ["repository", "projectId"])
    .index("by_projectId_repository", ["projectId", "repository"]),

  /** One row per delivery, written before it is processed (by a scheduled function). */
  githubEvents: defineTable({
    /** X-GitHub-Delivery: GitHub's id for the delivery, the replay guard. */
    deliveryId: v.string(),
    /** X-GitHub-Event, e.g. "pull_request", "ping". */
    event: v.string(),
    /** The raw body exactly as signed (bounded by the HTTP action). */
    payload: v.string(),
    receivedAt: v.number(),
    status: vGithubEventStatus,
    /** The payload's `action` ("opened", "closed", …), once processed. */
    action: v.optional(v.string()),
    /** What processing did or why it did nothing. */
    note: v.optional(v.string()),
    projectId: v.optional(v.id("projects")),
    taskId: v.optional(v.id("tasks")),
    /** "SB-12", kept so the project's event list needs no joins. */
    taskKey: v.optional(v.string()),
  })
    .index("by_deliveryId", ["deliveryId"])
    .index("by_projectId_receivedAt", ["projectId", "receivedAt"])
    // The daily prune finds deliveries past their retention.
    .index("by_receivedAt", ["receivedAt"]),
};
