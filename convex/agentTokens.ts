/** Public agent-token functions: mint (shown once), list (never the secret), revoke. */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import {
  internalTenantMutation,
  signedInAction,
  tenantMutation,
  tenantQuery,
} from "./functions";
import { insertAgentToken } from "./model/agents";
import { actorOf, recordAudit } from "./model/audit";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { hashSecret, newSecret } from "./model/secrets";

const vAgentTokenInfo = v.object({
  _id: v.id("agentTokens"),
  agentId: v.id("agents"),
  projectId: v.id("projects"),
  label: v.string(),
  scopes: v.array(v.string()),
  createdAt: v.number(),
  lastUsedAt: v.optional(v.number()),
  revokedAt: v.optional(v.number()),
});

/** Returns the secret once; only its hash is stored. */
export const create = signedInAction({
  args: {
    agentId: v.id("agents"),
    projectId: v.id("projects"),
    label: v.string(),
    scopes: v.optional(v.array(v.string())),
  },
  returns: v.object({ tokenId: v.id("agentTokens"), token: v.string() }),
  // Annotated: this module's own `internal` reference would otherwise make the type circular.
  handler: async (
    ctx,
    args,
  ): Promise<{ tokenId: Id<"agentTokens">; token: string }> => {
    const token = newSecret("agent");
    const tokenId: Id<"agentTokens"> = await ctx.runMutation(
      internal.agentTokens.insert,
      {
        ...args,
        tokenHash: await hashSecret(token),
      },
    );
    return { tokenId, token };
  },
});

export const insert = internalTenantMutation({
  permission: "tokens:manage",
  args: {
    agentId: v.id("agents"),
    projectId: v.id("projects"),
    label: v.string(),
    scopes: v.optional(v.array(v.string())),
    tokenHash: v.string(),
  },
  returns: v.id("agentTokens"),
  handler: async (ctx, { agentId, projectId, ...input }) => {
    const { project } = await ctx.access.project(projectId);
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    return await insertAgentToken(ctx, ctx.access, agent, project, input);
  },
});

export const list = tenantQuery({
  permission: "tokens:manage",
  args: { agentId: v.id("agents") },
  returns: v.array(vAgentTokenInfo),
  handler: async (ctx, { agentId }) => {
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null) fail("NOT_FOUND", "Agent not found.");
    await ctx.access.org(agent.orgId);
    const rows = await ctx.db
      .query("agentTokens")
      .withIndex("by_agentId", (q) => q.eq("agentId", agentId))
      .take(LIMITS.listPage);
    return rows.map((row) => ({
      _id: row._id,
      agentId: row.agentId,
      projectId: row.projectId,
      label: row.label,
      scopes: row.scopes,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
      revokedAt: row.revokedAt,
    }));
  },
});

export const revoke = tenantMutation({
  permission: "tokens:manage",
  args: { tokenId: v.id("agentTokens") },
  returns: v.null(),
  handler: async (ctx, { tokenId }) => {
    const token = await ctx.db.get("agentTokens", tokenId);
    if (token === null) fail("NOT_FOUND", "Token not found.");
    await ctx.access.org(token.orgId);
    if (token.revokedAt !== undefined) return null;
    const revokedAt = Date.now();
    await ctx.db.patch("agentTokens", tokenId, { revokedAt });
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: token.orgId,
      action: "agent_token.revoke",
      entity: "agentToken",
      entityId: tokenId,
      after: { revokedAt },
    });
    return null;
  },
});
