/** Tasks, their dependency edges, threads, messages and approvals. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import {
  vApprovalPolicy,
  vApprovalStatus,
  vLease,
  vMessageKind,
  vPrincipalId,
  vPriority,
  vTaskStatus,
} from "../validators";

export const workTables = {
  tasks: defineTable({
    projectId: v.id("projects"),
    /** Per-project sequence number; with the project key it forms "SB-12". */
    number: v.number(),
    title: v.string(),
    description: v.string(),
    status: vTaskStatus,
    priority: vPriority,
    /** 0 = urgent … 3 = low, derived from `priority` so indexes sort by it. */
    priorityRank: v.number(),
    labels: v.array(v.string()),
    assigneeId: v.optional(vPrincipalId),
    /** Tasks that must be done before this one is ready. */
    dependsOn: v.array(v.id("tasks")),
    /** How many of `dependsOn` are not done yet; 0 means unblocked. */
    openBlockers: v.number(),
    lease: v.optional(vLease),
    /** The task this one is a subtask of (same project). */
    parentId: v.optional(v.id("tasks")),
    branch: v.optional(v.string()),
    pullRequestUrl: v.optional(v.string()),
    createdBy: vPrincipalId,
    createdAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_projectId_number", ["projectId", "number"])
    .index("by_projectId_status_updatedAt", [
      "projectId",
      "status",
      "updatedAt",
    ])
    .index("by_projectId_status_openBlockers_priorityRank", [
      "projectId",
      "status",
      "openBlockers",
      "priorityRank",
    ])
    .index("by_projectId_assigneeId_status", [
      "projectId",
      "assigneeId",
      "status",
    ])
    .index("by_lease_expiresAt", ["lease.expiresAt"])
    .index("by_projectId_branch", ["projectId", "branch"]),

  /**
   * Reverse index of `tasks.dependsOn` (arrays cannot be indexed): lets a task
   * that becomes done find the tasks it was blocking. Written only by
   * model/dependencies.ts together with `dependsOn`.
   */
  taskDependencies: defineTable({
    taskId: v.id("tasks"),
    blockerId: v.id("tasks"),
  })
    .index("by_blockerId", ["blockerId"])
    .index("by_taskId_blockerId", ["taskId", "blockerId"]),

  threads: defineTable({
    projectId: v.id("projects"),
    taskId: v.optional(v.id("tasks")),
    title: v.string(),
    createdBy: vPrincipalId,
    createdAt: v.number(),
    lastMessageAt: v.number(),
  })
    .index("by_projectId_lastMessageAt", ["projectId", "lastMessageAt"])
    .index("by_taskId", ["taskId"])
    // The project's general thread is its oldest thread without a task.
    .index("by_projectId_taskId", ["projectId", "taskId"]),

  messages: defineTable({
    threadId: v.id("threads"),
    authorId: vPrincipalId,
    kind: vMessageKind,
    body: v.string(),
    /** For kind "event": what happened, e.g. session_start / session_end. */
    event: v.optional(v.string()),
    /** For session events: the agent session the event belongs to. */
    sessionId: v.optional(v.string()),
    createdAt: v.number(),
  })
    // Ordered by _creationTime, which is unique and increasing, so it doubles
    // as the "read since" cursor.
    .index("by_threadId", ["threadId"]),

  approvals: defineTable({
    projectId: v.id("projects"),
    taskId: v.optional(v.id("tasks")),
    requesterId: vPrincipalId,
    /** What is being asked, e.g. "tool_use", "deploy", "budget_raise". */
    kind: v.string(),
    summary: v.string(),
    details: v.string(),
    policy: vApprovalPolicy,
    status: vApprovalStatus,
    resolverId: v.optional(v.union(vPrincipalId, v.literal("system"))),
    reason: v.optional(v.string()),
    resolvedAt: v.optional(v.number()),
    /** Set when an approval rule decided this request instead of a person. */
    ruleId: v.optional(v.id("approvalRules")),
    /** The scheduled expiry job, cancelled when someone decides first. */
    expiryJobId: v.optional(v.id("_scheduled_functions")),
    createdAt: v.number(),
  })
    .index("by_projectId_status_createdAt", [
      "projectId",
      "status",
      "createdAt",
    ])
    .index("by_taskId_createdAt", ["taskId", "createdAt"])
    .index("by_requesterId_status", ["requesterId", "status"]),
};
