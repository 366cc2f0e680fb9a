/** Registering agents and minting their scoped tokens. */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { AgentKind, TrustLevel } from "../validators";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { requireText } from "./checks";
import { fail } from "./errors";
import { AGENT_GRANTABLE, isAgentGrantable } from "./permissions";

export type NewAgent = {
  name: string;
  instructions?: string;
  kind?: AgentKind;
  trustLevel?: TrustLevel;
  defaultScopes?: string[];
};

/** Scopes must be agent-grantable permissions; unknown or admin scopes are refused. */
export function checkScopes(scopes: readonly string[]): string[] {
  const unknown = scopes.filter((scope) => !isAgentGrantable(scope));
  if (unknown.length > 0) {
    fail(
      "INVALID_ARGUMENT",
      `Not agent scopes: ${unknown.join(", ")}. Allowed: ${AGENT_GRANTABLE.join(", ")}.`,
    );
  }
  return [...new Set(scopes)];
}

export async function insertAgent(
  ctx: MutationCtx,
  access: Access,
  orgId: Id<"orgs">,
  input: NewAgent,
): Promise<Id<"agents">> {
  if (access.principal.kind !== "user")
    fail("FORBIDDEN", "Only people register agents.");
  const name = requireText("Agent name", input.name, 60);
  const clash = await ctx.db
    .query("agents")
    .withIndex("by_orgId_name", (q) => q.eq("orgId", orgId).eq("name", name))
    .first();
  if (clash !== null)
    fail("ALREADY_EXISTS", `An agent named ${name} already exists.`);
  const agentId = await ctx.db.insert("agents", {
    orgId,
    name,
    instructions: requireText(
      "Instructions",
      input.instructions ?? "",
      20_000,
      {
        allowEmpty: true,
      },
    ),
    kind: input.kind ?? "external",
    trustLevel: input.trustLevel ?? "standard",
    defaultScopes: checkScopes(input.defaultScopes ?? AGENT_GRANTABLE),
    createdBy: access.principal.id,
    createdAt: Date.now(),
  });
  await recordAudit(ctx, actorOf(access), {
    orgId,
    action: "agent.create",
    entity: "agent",
    entityId: agentId,
    after: {
      name,
      kind: input.kind ?? "external",
      trustLevel: input.trustLevel ?? "standard",
    },
  });
  return agentId;
}

export async function insertAgentToken(
  ctx: MutationCtx,
  access: Access,
  agent: Doc<"agents">,
  project: Doc<"projects">,
  input: {
    label: string;
    scopes?: string[];
    tokenHash: string;
    /** Limits the token's changes to this task (sandbox tokens). */
    taskId?: Id<"tasks">;
  },
): Promise<Id<"agentTokens">> {
  if (access.principal.kind !== "user")
    fail("FORBIDDEN", "Only people mint agent tokens.");
  if (project.orgId !== agent.orgId) {
    fail(
      "INVALID_ARGUMENT",
      "The project belongs to another org than the agent.",
    );
  }
  const tokenId = await ctx.db.insert("agentTokens", {
    agentId: agent._id,
    orgId: agent.orgId,
    projectId: project._id,
    taskId: input.taskId,
    label: requireText("Label", input.label, 100),
    tokenHash: input.tokenHash,
    scopes: checkScopes(input.scopes ?? agent.defaultScopes),
    createdBy: access.principal.id,
    createdAt: Date.now(),
  });
  await recordAudit(ctx, actorOf(access), {
    orgId: agent.orgId,
    action: "agent_token.create",
    entity: "agentToken",
    entityId: tokenId,
    after: { agentId: agent._id, projectId: project._id, label: input.label },
  });
  return tokenId;
}
