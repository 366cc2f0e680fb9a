/** Agents and the scoped, revocable tokens they connect with. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vAgentKind, vRuleEffect, vTrustLevel } from "../validators";

export const agentTables = {
  agents: defineTable({
    orgId: v.id("orgs"),
    name: v.string(),
    /** The agent's role and standing instructions, shown to it in get_context. */
    instructions: v.string(),
    kind: vAgentKind,
    trustLevel: vTrustLevel,
    /** Scopes a new token for this agent gets unless the minter narrows them. */
    defaultScopes: v.array(v.string()),
    createdBy: v.id("users"),
    createdAt: v.number(),
  }).index("by_orgId_name", ["orgId", "name"]),

  agentTokens: defineTable({
    agentId: v.id("agents"),
    orgId: v.id("orgs"),
    /** Agents act only inside this project. */
    projectId: v.id("projects"),
    /** Sandbox tokens: changes are limited to this task (reads span the project). */
    taskId: v.optional(v.id("tasks")),
    label: v.string(),
    /** SHA-256 (hex) of the secret; the secret itself is shown once and never stored. */
    tokenHash: v.string(),
    scopes: v.array(v.string()),
    createdBy: v.id("users"),
    createdAt: v.number(),
    lastUsedAt: v.optional(v.number()),
    revokedAt: v.optional(v.number()),
  })
    .index("by_tokenHash", ["tokenHash"])
    .index("by_agentId", ["agentId"]),

  /**
   * Standing answers to an agent's permission prompts (approval_prompt): a
   * tool name glob and an optional glob over the tool's input, allowed or
   * denied without asking a person. Admins set them (convex/approvalRules.ts).
   */
  approvalRules: defineTable({
    orgId: v.id("orgs"),
    agentId: v.id("agents"),
    /** Glob over the tool name Claude Code asks about, e.g. "Bash" or "mcp__*". */
    toolPattern: v.string(),
    /** Glob over the input's main value (a command, a path, a URL); absent = any input. */
    inputPattern: v.optional(v.string()),
    effect: vRuleEffect,
    /** Told to the agent (and kept on the decided approval). */
    reason: v.optional(v.string()),
    createdBy: v.id("users"),
    createdAt: v.number(),
  }).index("by_agentId", ["agentId"]),
};
