/**
 * Approval rules: an agent's standing answers to its permission prompts
 * (model/approvalPolicy.ts). Admins manage them; agents may read their own.
 */
import { v } from "convex/values";
import { tenantMutation, tenantQuery } from "./functions";
import { MAX_RULES_PER_AGENT } from "./model/approvalPolicy";
import { actorOf, recordAudit } from "./model/audit";
import { requireText } from "./model/checks";
import { fail } from "./model/errors";
import schema from "./schema";
import { vRuleEffect } from "./validators";

export const add = tenantMutation({
  permission: "agents:manage",
  args: {
    agentId: v.id("agents"),
    toolPattern: v.string(),
    inputPattern: v.optional(v.string()),
    effect: vRuleEffect,
    reason: v.optional(v.string()),
  },
  returns: v.id("approvalRules"),
  handler: async (ctx, { agentId, ...rule }) => {
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    await ctx.access.org(agent.orgId);
    const principal = ctx.access.principal;
    if (principal.kind !== "user") fail("FORBIDDEN", "Only people set rules.");
    const existing = await ctx.db
      .query("approvalRules")
      .withIndex("by_agentId", (q) => q.eq("agentId", agentId))
      .take(MAX_RULES_PER_AGENT);
    if (existing.length >= MAX_RULES_PER_AGENT) {
      fail(
        "INVALID_ARGUMENT",
        `An agent has at most ${MAX_RULES_PER_AGENT} rules; remove one first.`,
      );
    }
    const ruleId = await ctx.db.insert("approvalRules", {
      orgId: agent.orgId,
      agentId,
      toolPattern: requireText("toolPattern", rule.toolPattern, 200),
      inputPattern:
        rule.inputPattern === undefined
          ? undefined
          : requireText("inputPattern", rule.inputPattern, 1000),
      effect: rule.effect,
      reason:
        rule.reason === undefined
          ? undefined
          : requireText("reason", rule.reason, 500),
      createdBy: principal.id,
      createdAt: Date.now(),
    });
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: agent.orgId,
      action: "approval_rule.add",
      entity: "approvalRule",
      entityId: ruleId,
      after: {
        agentId,
        toolPattern: rule.toolPattern,
        inputPattern: rule.inputPattern ?? null,
        effect: rule.effect,
      },
    });
    return ruleId;
  },
});

export const list = tenantQuery({
  permission: "agents:read",
  args: { agentId: v.id("agents") },
  returns: v.array(schema.doc("approvalRules")),
  handler: async (ctx, { agentId }) => {
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    await ctx.access.org(agent.orgId);
    return await ctx.db
      .query("approvalRules")
      .withIndex("by_agentId", (q) => q.eq("agentId", agentId))
      .take(MAX_RULES_PER_AGENT);
  },
});

export const remove = tenantMutation({
  permission: "agents:manage",
  args: { ruleId: v.id("approvalRules") },
  returns: v.null(),
  handler: async (ctx, { ruleId }) => {
    const rule = await ctx.db.get("approvalRules", ruleId);
    if (rule === null) fail("NOT_FOUND", "Rule not found.");
    await ctx.access.org(rule.orgId);
    await ctx.db.delete("approvalRules", ruleId);
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: rule.orgId,
      action: "approval_rule.remove",
      entity: "approvalRule",
      entityId: ruleId,
      before: {
        agentId: rule.agentId,
        toolPattern: rule.toolPattern,
        effect: rule.effect,
      },
    });
    return null;
  },
});
