/**
 * A local backend process and its bootstrapped owner over HTTP, with the
 * org and project the bootstrap made, plus agents with fresh `sba_` secrets.
 * No vitest imports: the MCP tests, the sandbox tests and the sandbox
 * benchmark all start from here.
 */
import type { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { Backend } from "../integration/local-backend/backendProcess";

export type OwnerWorld = {
  backend: Backend;
  /** The bootstrapped owner, over HTTP with a signed-in JWT. */
  owner: ConvexHttpClient;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
  projectKey: string;
};

export type AgentSecret = {
  agentId: Id<"agents">;
  tokenId: Id<"agentTokens">;
  /** The `sba_` secret switchboard-mcp runs with. */
  secret: string;
};

export async function startOwnerWorld(): Promise<OwnerWorld> {
  const backend = await Backend.start();
  const owner = backend.httpClient(await backend.signIn());
  const [org] = await owner.query(api.orgs.listMine, {});
  if (org === undefined) throw new Error("The bootstrap made no org.");
  const [project] = await owner.query(api.projects.list, { orgId: org.orgId });
  if (project === undefined) throw new Error("The bootstrap made no project.");
  return {
    backend,
    owner,
    orgId: org.orgId,
    projectId: project._id,
    projectKey: project.key,
  };
}

/** A new agent of the world's org with a token for its project (default scopes unless given). */
export async function newAgent(
  world: OwnerWorld,
  name: string,
  scopes?: string[],
): Promise<AgentSecret> {
  const agentId = await world.owner.mutation(api.agents.create, {
    orgId: world.orgId,
    name,
  });
  const { tokenId, token } = await world.owner.action(api.agentTokens.create, {
    agentId,
    projectId: world.projectId,
    label: `test ${name}`,
    ...(scopes === undefined ? {} : { scopes }),
  });
  return { agentId, tokenId, secret: token };
}
