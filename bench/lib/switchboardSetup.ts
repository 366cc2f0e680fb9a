/**
 * Switchboard's own data for benchmarks that need it: the bootstrapped owner of a
 * fresh local backend signed in over HTTP, and an agent with a project-scoped
 * token and ready tasks to claim.
 */
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { readOwnerToken } from "../../local-backend/switchboardApp";
import { exchangeSecret } from "../../mcp-server/tokens";
import type { BackendProcess } from "./backendProcess";

export type Owner = {
  client: ConvexHttpClient;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
};

/** The bootstrapped owner's one-hour JWT: far longer than any benchmark runs. */
export async function ownerJwt(backend: BackendProcess): Promise<string> {
  // The backend wrote the owner's secret into its data dir at first start.
  const secret = readOwnerToken(backend.dataDir);
  if (secret === null) throw new Error("The backend wrote no owner token.");
  const { token } = await exchangeSecret(
    backend.siteUrl,
    secret,
    "the benchmark's backend",
    10_000,
  );
  return token;
}

export async function signInOwner(backend: BackendProcess): Promise<Owner> {
  const token = await ownerJwt(backend);
  const client = new ConvexHttpClient(backend.url, { logger: false });
  client.setAuth(token);
  const [org] = await client.query(api.orgs.listMine, {});
  if (org === undefined) throw new Error("The bootstrap made no org.");
  const [project] = await client.query(api.projects.list, { orgId: org.orgId });
  if (project === undefined) throw new Error("The bootstrap made no project.");
  return { client, orgId: org.orgId, projectId: project._id };
}

/** An agent with a token for the owner's project, and `tasks` ready tasks in it. */
export async function provisionAgent(
  owner: Owner,
  name: string,
  tasks: number,
): Promise<{ agentId: Id<"agents">; secret: string }> {
  const agentId = await owner.client.mutation(api.agents.create, {
    orgId: owner.orgId,
    name,
  });
  const { token } = await owner.client.action(api.agentTokens.create, {
    agentId,
    projectId: owner.projectId,
    label: `${name} (benchmark)`,
  });
  for (let i = 0; i < tasks; i++) {
    await owner.client.mutation(api.tasks.create, {
      projectId: owner.projectId,
      title: `Benchmark task ${i}`,
      status: "todo",
    });
  }
  return { agentId, secret: token };
}
