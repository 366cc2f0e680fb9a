/** Public approval functions plus the scheduled expiry. */
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { internalMutation } from "./_generated/server";
import { tenantMutation, tenantQuery } from "./functions";
import {
  cancelApproval,
  expireApproval,
  requestApproval,
  resolveApproval,
} from "./model/approvals";
import { LIMITS } from "./model/limits";
import { vApprovalDoc, vPaginated } from "./returns";
import { vApprovalStatus, vOnExpiry, vRole } from "./validators";

export const request = tenantMutation({
  permission: "approvals:request",
  args: {
    projectId: v.id("projects"),
    taskId: v.optional(v.id("tasks")),
    kind: v.string(),
    summary: v.string(),
    details: v.optional(v.string()),
    approverRole: v.optional(vRole),
    ttlMs: v.optional(v.number()),
    onExpiry: v.optional(vOnExpiry),
  },
  returns: v.id("approvals"),
  handler: async (ctx, { projectId, ...request }) => {
    const { project } = await ctx.access.project(projectId);
    return await requestApproval(ctx, ctx.access, project, request);
  },
});

export const resolve = tenantMutation({
  permission: "approvals:resolve",
  args: {
    approvalId: v.id("approvals"),
    decision: v.union(v.literal("approve"), v.literal("reject")),
    reason: v.optional(v.string()),
  },
  returns: vApprovalDoc,
  handler: async (ctx, { approvalId, decision, reason }) => {
    const { project, role, approval } = await ctx.access.approval(approvalId);
    return await resolveApproval(
      ctx,
      ctx.access,
      project,
      role,
      approval,
      decision,
      reason,
    );
  },
});

export const cancel = tenantMutation({
  permission: "approvals:request",
  args: { approvalId: v.id("approvals") },
  returns: vApprovalDoc,
  handler: async (ctx, { approvalId }) => {
    const { project, approval } = await ctx.access.approval(approvalId);
    return await cancelApproval(ctx, ctx.access, project, approval);
  },
});

export const get = tenantQuery({
  permission: "approvals:read",
  args: { approvalId: v.id("approvals") },
  returns: vApprovalDoc,
  handler: async (ctx, { approvalId }) =>
    (await ctx.access.approval(approvalId)).approval,
});

/** Pending approvals of a project, oldest first: the inbox. */
export const listPending = tenantQuery({
  permission: "approvals:read",
  args: { projectId: v.id("projects"), limit: v.optional(v.number()) },
  returns: v.object({ approvals: v.array(vApprovalDoc), hasMore: v.boolean() }),
  handler: async (ctx, { projectId, limit }) => {
    await ctx.access.project(projectId);
    const cap = Math.max(1, Math.min(limit ?? 50, LIMITS.listPage));
    const rows = await ctx.db
      .query("approvals")
      .withIndex("by_projectId_status_createdAt", (q) =>
        q.eq("projectId", projectId).eq("status", "pending"),
      )
      .take(cap + 1);
    return { approvals: rows.slice(0, cap), hasMore: rows.length > cap };
  },
});

/** Approvals of a project in one status, newest first. */
export const list = tenantQuery({
  permission: "approvals:read",
  args: {
    projectId: v.id("projects"),
    status: vApprovalStatus,
    paginationOpts: paginationOptsValidator,
  },
  returns: vPaginated(vApprovalDoc),
  handler: async (ctx, { projectId, status, paginationOpts }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("approvals")
      .withIndex("by_projectId_status_createdAt", (q) =>
        q.eq("projectId", projectId).eq("status", status),
      )
      .order("desc")
      .paginate({
        ...paginationOpts,
        numItems: Math.min(paginationOpts.numItems, LIMITS.listPage),
      });
  },
});

export const listForTask = tenantQuery({
  permission: "approvals:read",
  args: { taskId: v.id("tasks"), limit: v.optional(v.number()) },
  returns: v.array(vApprovalDoc),
  handler: async (ctx, { taskId, limit }) => {
    await ctx.access.task(taskId);
    return await ctx.db
      .query("approvals")
      .withIndex("by_taskId_createdAt", (q) => q.eq("taskId", taskId))
      .order("desc")
      .take(Math.max(1, Math.min(limit ?? 50, LIMITS.listPage)));
  },
});

export const expire = internalMutation({
  args: { approvalId: v.id("approvals") },
  returns: v.null(),
  handler: async (ctx, { approvalId }) => {
    const approval = await ctx.db.get("approvals", approvalId);
    if (approval !== null) await expireApproval(ctx, approval);
    return null;
  },
});
