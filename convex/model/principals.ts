/**
 * Turns the verified JWT on a request into a principal (a user or an agent)
 * backed by a live, unrevoked credential. Every token we sign carries `tid`,
 * the id of the credential row, so revoking a token takes effect on the very
 * next call instead of when the JWT expires.
 */
import type { UserIdentity } from "convex/server";
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { fail } from "./errors";
import { isAgentGrantable, type Permission } from "./permissions";

export type UserPrincipal = {
  kind: "user";
  id: Id<"users">;
  user: Doc<"users">;
};
export type AgentPrincipal = {
  kind: "agent";
  id: Id<"agents">;
  agent: Doc<"agents">;
  /** Where the agent may act: its token's, or a native step's run's project. */
  token: AgentGrant;
  scopes: ReadonlySet<Permission>;
};
export type Principal = UserPrincipal | AgentPrincipal;
/** Native agents run inside Convex without a token row, so only the bounds. */
export type AgentGrant = Pick<Doc<"agentTokens">, "projectId" | "taskId">;

/** Name of the custom JWT claim holding the credential (token row) id. */
export const TOKEN_ID_CLAIM = "tid";

function tokenIdOf(identity: UserIdentity): string {
  const claim = identity[TOKEN_ID_CLAIM];
  if (typeof claim !== "string") {
    fail("UNAUTHENTICATED", "The token has no credential id; sign in again.");
  }
  return claim;
}

export async function resolvePrincipal(ctx: QueryCtx): Promise<Principal> {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) {
    fail("UNAUTHENTICATED", "Not signed in: send a Switchboard token.");
  }
  const userId = ctx.db.normalizeId("users", identity.subject);
  if (userId !== null) return await resolveUser(ctx, userId, identity);
  const agentId = ctx.db.normalizeId("agents", identity.subject);
  if (agentId !== null) return await resolveAgent(ctx, agentId, identity);
  fail(
    "UNAUTHENTICATED",
    "The token's subject is not a Switchboard user or agent.",
  );
}

async function resolveUser(
  ctx: QueryCtx,
  userId: Id<"users">,
  identity: UserIdentity,
): Promise<UserPrincipal> {
  const tokenId = ctx.db.normalizeId("userTokens", tokenIdOf(identity));
  const token =
    tokenId === null ? null : await ctx.db.get("userTokens", tokenId);
  if (
    token === null ||
    token.userId !== userId ||
    token.revokedAt !== undefined
  ) {
    fail(
      "UNAUTHENTICATED",
      "This sign-in token was revoked or does not exist.",
    );
  }
  const user = await ctx.db.get("users", userId);
  if (user === null)
    fail("UNAUTHENTICATED", "The signed-in user no longer exists.");
  return { kind: "user", id: userId, user };
}

async function resolveAgent(
  ctx: QueryCtx,
  agentId: Id<"agents">,
  identity: UserIdentity,
): Promise<AgentPrincipal> {
  const tokenId = ctx.db.normalizeId("agentTokens", tokenIdOf(identity));
  const token =
    tokenId === null ? null : await ctx.db.get("agentTokens", tokenId);
  if (
    token === null ||
    token.agentId !== agentId ||
    token.revokedAt !== undefined
  ) {
    fail("UNAUTHENTICATED", "This agent token was revoked or does not exist.");
  }
  const agent = await ctx.db.get("agents", agentId);
  if (agent === null) fail("UNAUTHENTICATED", "The agent no longer exists.");
  const scopes = new Set(token.scopes.filter(isAgentGrantable));
  return { kind: "agent", id: agentId, agent, token, scopes };
}
