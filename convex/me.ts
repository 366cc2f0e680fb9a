/** Who the caller is: the first thing clients and agents ask. */
import { v } from "convex/values";
import { tenantQuery } from "./functions";
import { vTrustLevel } from "./validators";

export const get = tenantQuery({
  permission: "org:read",
  args: {},
  returns: v.union(
    v.object({
      kind: v.literal("user"),
      userId: v.id("users"),
      name: v.string(),
      email: v.string(),
    }),
    v.object({
      kind: v.literal("agent"),
      agentId: v.id("agents"),
      name: v.string(),
      instructions: v.string(),
      trustLevel: vTrustLevel,
      orgId: v.id("orgs"),
      projectId: v.id("projects"),
      scopes: v.array(v.string()),
    }),
  ),
  handler: (ctx) => {
    const principal = ctx.access.principal;
    if (principal.kind === "user") {
      const { user } = principal;
      return {
        kind: "user" as const,
        userId: user._id,
        name: user.name,
        email: user.email,
      };
    }
    const { agent, token } = principal;
    return {
      kind: "agent" as const,
      agentId: agent._id,
      name: agent.name,
      instructions: agent.instructions,
      trustLevel: agent.trustLevel,
      orgId: agent.orgId,
      projectId: token.projectId,
      scopes: [...principal.scopes],
    };
  },
});
