/**
 * The control-plane half of `setup-claude`: as a person (the local backend's
 * owner, or whoever SWITCHBOARD_USER_TOKEN belongs to), find the org and
 * project, create or reuse the agent, and mint a freshly scoped agent token.
 * The secret is returned to the caller to hand to Claude Code; never logged.
 */
import { hostname } from "node:os";
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { readOwnerToken } from "../../local-backend/switchboardApp";
import type { BackendLocation } from "../config";
import { locate } from "../connection";
import { NotConfiguredError } from "../errors";
import { exchangeSecret } from "../tokens";

export type MintOptions = {
  backend: BackendLocation;
  /** A person's `sbu_…` secret; else the local data directory's owner token. */
  userToken: string | undefined;
  agentName: string;
  /** Project key (e.g. "SB"); the first project of the org by default. */
  projectKey: string | undefined;
  /** Narrower scopes than the agent's defaults, if wanted. */
  scopes: string[] | undefined;
  timeoutMs: number;
};

export type Minted = {
  backend: { url: string; siteUrl: string; where: string };
  org: { id: Id<"orgs">; name: string };
  project: { id: Id<"projects">; key: string; name: string };
  agent: { id: Id<"agents">; name: string; created: boolean };
  tokenId: Id<"agentTokens">;
  label: string;
  scopes: string[];
  /** The `sba_…` secret: shown to nobody, written only into Claude Code's config. */
  secret: string;
};

function userSecret(options: MintOptions): string {
  if (options.userToken !== undefined) return options.userToken;
  if (options.backend.kind === "dataDir") {
    const owner = readOwnerToken(options.backend.dataDir);
    if (owner !== null) return owner;
    throw new NotConfiguredError(
      `No owner token in ${options.backend.dataDir}: start the local backend once (npm start), or set SWITCHBOARD_USER_TOKEN to a person's sbu_ token.`,
    );
  }
  throw new NotConfiguredError(
    "Set SWITCHBOARD_USER_TOKEN to the sbu_ token of a person who may manage agents (an admin or owner).",
  );
}

export async function mintAgentToken(options: MintOptions): Promise<Minted> {
  const located = await locate(options.backend);
  const signedIn = await exchangeSecret(
    located.siteUrl,
    userSecret(options),
    located.where,
    options.timeoutMs,
  );
  if (signedIn.kind !== "user") {
    throw new NotConfiguredError(
      "setup-claude needs a person's token (sbu_…), not an agent's.",
    );
  }
  const client = new ConvexHttpClient(located.url, {
    skipConvexDeploymentUrlCheck: true,
    logger: false,
  });
  client.setAuth(signedIn.token);

  const orgs = await client.query(api.orgs.listMine, {});
  const managed = orgs.filter(
    (org) => org.role === "owner" || org.role === "admin",
  );
  const org = managed[0];
  if (org === undefined) {
    throw new NotConfiguredError(
      "You are not an admin or owner of any org, so you cannot register agents.",
    );
  }
  const projects = await client.query(api.projects.list, { orgId: org.orgId });
  const project =
    options.projectKey === undefined
      ? projects[0]
      : projects.find((p) => p.key === options.projectKey?.toUpperCase());
  if (project === undefined) {
    throw new NotConfiguredError(
      options.projectKey === undefined
        ? `Org ${org.name} has no project yet; create one first.`
        : `No project with key ${options.projectKey} in org ${org.name}; projects: ${projects.map((p) => p.key).join(", ") || "none"}.`,
    );
  }

  const agents = await client.query(api.agents.list, { orgId: org.orgId });
  const existing = agents.find((agent) => agent.name === options.agentName);
  const agentId =
    existing?._id ??
    (await client.mutation(api.agents.create, {
      orgId: org.orgId,
      name: options.agentName,
      kind: "external",
      instructions:
        "A Claude Code session. Claim one task at a time, keep its lease alive with update_task, ask before risky actions.",
    }));
  const label = `setup-claude ${hostname()} ${new Date().toISOString().slice(0, 16)}`;
  const { tokenId, token } = await client.action(api.agentTokens.create, {
    agentId,
    projectId: project._id,
    label,
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
  });
  const minted = (await client.query(api.agentTokens.list, { agentId })).find(
    (row) => row._id === tokenId,
  );
  return {
    backend: located,
    org: { id: org.orgId, name: org.name },
    project: { id: project._id, key: project.key, name: project.name },
    agent: {
      id: agentId,
      name: options.agentName,
      created: existing === undefined,
    },
    tokenId,
    label,
    scopes: minted?.scopes ?? [],
    secret: token,
  };
}
