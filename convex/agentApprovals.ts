/**
 * request_approval and approval_prompt: agents ask people (or the rules
 * people set) for a decision; `get` lets the requester watch its answer.
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import {
  callerProject,
  defaultTask,
  requireSameProject,
} from "./model/agentScope";
import { answerPrompt } from "./model/approvalPolicy";
import { requestApproval } from "./model/approvals";
import { fail } from "./model/errors";
import { approvalView, vApprovalView } from "./model/views";

export const request = tenantMutation({
  permission: "approvals:request",
  args: {
    projectId: v.optional(v.id("projects")),
    /** Defaults to the caller's one leased task, if it has exactly one. */
    taskId: v.optional(v.id("tasks")),
    summary: v.string(),
    details: v.optional(v.string()),
    /** What is asked, e.g. "deploy", "merge", "spend". */
    kind: v.optional(v.string()),
    ttlMs: v.optional(v.number()),
  },
  returns: vApprovalView,
  handler: async (ctx, { projectId, taskId, kind, ...request }) => {
    const { project } = await callerProject(ctx.access, projectId);
    if (taskId !== undefined) {
      requireSameProject((await ctx.access.task(taskId)).task, project._id);
    }
    const boundTo =
      taskId ??
      (await defaultTask(ctx, project._id, ctx.access.principal.id))?._id;
    const approvalId = await requestApproval(ctx, ctx.access, project, {
      ...request,
      taskId: boundTo,
      kind: kind ?? "action",
    });
    return approvalView((await ctx.db.get("approvals", approvalId))!);
  },
});

/** Claude Code's --permission-prompt-tool input, answered by rule or turned into a request. */
export const prompt = tenantMutation({
  permission: "approvals:request",
  args: {
    projectId: v.optional(v.id("projects")),
    tool_name: v.string(),
    input: v.any(),
    tool_use_id: v.optional(v.string()),
    /** How long a person has to decide before it counts as denied. */
    ttlMs: v.optional(v.number()),
  },
  returns: v.object({
    decision: v.union(
      v.literal("allow"),
      v.literal("deny"),
      v.literal("pending"),
    ),
    approvalId: v.id("approvals"),
    message: v.optional(v.string()),
    ruleId: v.optional(v.id("approvalRules")),
  }),
  handler: async (ctx, args) => {
    const { project } = await callerProject(ctx.access, args.projectId);
    return await answerPrompt(ctx, ctx.access, project, {
      toolName: args.tool_name,
      input: args.input,
      toolUseId: args.tool_use_id,
      ttlMs: args.ttlMs,
    });
  },
});

/** The requester's view of its own request, to wait on its decision. */
export const get = tenantQuery({
  permission: "approvals:request",
  args: { approvalId: v.id("approvals") },
  returns: vApprovalView,
  handler: async (ctx, { approvalId }) => {
    const { approval } = await ctx.access.approval(approvalId);
    if (approval.requesterId !== ctx.access.principal.id) {
      fail("FORBIDDEN", "This is someone else's request.");
    }
    return approvalView(approval);
  },
});
