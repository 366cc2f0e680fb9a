/** Agents and the scoped, revocable tokens they connect with. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vAgentKind, vTrustLevel } from "../validators";

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
};
