/**
 * Switchboard's own data for benchmarks that need it: the bootstrapped owner of a
 * fresh local backend signed in over HTTP, and an agent with a project-scoped
 * token and ready tasks to claim.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { BackendProcess } from "./backendProcess";

export type Owner = {
  client: ConvexHttpClient;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
};

/** Exchanges a `sbu_`/`sba_` secret for a JWT at the deployment's /auth/token. */
async function exchange(siteUrl: string, secret: string): Promise<string> {
  const response = await fetch(`${siteUrl}/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: secret }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (!response.ok || typeof body.token !== "string")
    throw new Error(
      `sign-in failed: ${response.status} ${JSON.stringify(body)}`,
    );
  return body.token;
}

export async function signInOwner(backend: BackendProcess): Promise<Owner> {
  // The backend wrote the owner's secret into its data dir at first start.
  const secret = readFileSync(
    join(backend.dataDir, "owner-token"),
    "utf8",
  ).trim();
  const client = new ConvexHttpClient(backend.url, { logger: false });
  client.setAuth(await exchange(backend.siteUrl, secret));
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
