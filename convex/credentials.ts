/**
 * Internal side of the token exchange (HTTP POST /auth/token): looks up a
 * credential by its hash and says whose it is. The HTTP action signs the JWT.
 */
import { v } from "convex/values";
import { internalMutation } from "./_generated/server";

/** lastUsedAt is a hint for people; writing it at most once a minute avoids write contention. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const redeem = internalMutation({
  args: {
    kind: v.union(v.literal("user"), v.literal("agent")),
    tokenHash: v.string(),
  },
  returns: v.union(
    v.null(),
    v.object({
      subject: v.string(),
      tokenId: v.string(),
      /** An agent token's scopes (people act by their roles instead). */
      scopes: v.optional(v.array(v.string())),
    }),
  ),
  handler: async (ctx, { kind, tokenHash }) => {
    const now = Date.now();
    if (kind === "user") {
      const row = await ctx.db
        .query("userTokens")
        .withIndex("by_tokenHash", (q) => q.eq("tokenHash", tokenHash))
        .unique();
      if (row === null || row.revokedAt !== undefined) return null;
      if ((row.lastUsedAt ?? 0) < now - LAST_USED_RESOLUTION_MS) {
        await ctx.db.patch("userTokens", row._id, { lastUsedAt: now });
      }
      return { subject: row.userId, tokenId: row._id };
    }
    const row = await ctx.db
      .query("agentTokens")
      .withIndex("by_tokenHash", (q) => q.eq("tokenHash", tokenHash))
      .unique();
    if (row === null || row.revokedAt !== undefined) return null;
    if ((row.lastUsedAt ?? 0) < now - LAST_USED_RESOLUTION_MS) {
      await ctx.db.patch("agentTokens", row._id, { lastUsedAt: now });
    }
    return { subject: row.agentId, tokenId: row._id, scopes: row.scopes };
  },
});
