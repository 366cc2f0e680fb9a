/**
 * Identity end to end: bootstrap, the token exchange (POST /auth/token), the
 * JWKS the JWTs verify against, agent tokens (scoped, hashed, revocable) and
 * first sign-in tokens of new members.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
} from "jose";
import { beforeAll, describe, expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import schema from "../../convex/schema";
import { expectCode } from "./expectCode";
import {
  as,
  configureSigningKey,
  mustRead,
  newBackend,
  SITE_URL,
  type AgentActor,
  type Backend,
  type Person,
} from "./world";

beforeAll(async () => {
  await configureSigningKey();
});

type Bootstrapped = {
  t: Backend;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
  owner: Person;
  ownerSecret: string;
};

async function bootstrap(): Promise<Bootstrapped> {
  const t = newBackend();
  const result = await t.action(internal.bootstrap.run, {
    ownerName: "Ada",
    ownerEmail: "Ada@Example.com",
  });
  const tokenId = await t.run(async (ctx) => {
    const row = await ctx.db
      .query("userTokens")
      .withIndex("by_userId", (q) => q.eq("userId", result.userId))
      .unique();
    return row!._id;
  });
  return {
    t,
    orgId: result.orgId,
    projectId: result.projectId,
    owner: { userId: result.userId, tokenId },
    ownerSecret: result.token,
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

async function exchange(t: Backend, body: string): Promise<Response> {
  return await t.fetch("/auth/token", { method: "POST", body });
}

type Exchanged = {
  token: string;
  expiresAt: number;
  subject: string;
  kind: string;
  /** Agent tokens only: what the token may do. */
  scopes?: string[];
};

async function exchangeOk(t: Backend, secret: string): Promise<Exchanged> {
  const response = await exchange(t, JSON.stringify({ token: secret }));
  expect(response.status).toBe(200);
  return (await response.json()) as Exchanged;
}

/** Verifies a JWT the way the Convex auth layer does: against our own JWKS. */
async function verify(t: Backend, jwt: string) {
  const response = await t.fetch("/.well-known/jwks.json", { method: "GET" });
  expect(response.status).toBe(200);
  const jwks = createLocalJWKSet((await response.json()) as JSONWebKeySet);
  const { payload } = await jwtVerify(jwt, jwks, {
    issuer: SITE_URL,
    audience: "switchboard",
  });
  return payload;
}

/** Creates an agent as the owner and mints a token for it through the public API. */
async function mintAgentToken(
  boot: Bootstrapped,
  scopes?: string[],
): Promise<{ agent: AgentActor; secret: string }> {
  const owner = as(boot.t, boot.owner);
  const agentId = await owner.mutation(api.agents.create, {
    orgId: boot.orgId,
    name: "claude-1",
  });
  const { tokenId, token } = await owner.action(api.agentTokens.create, {
    agentId,
    projectId: boot.projectId,
    label: "laptop",
    ...(scopes === undefined ? {} : { scopes }),
  });
  return { agent: { agentId, tokenId }, secret: token };
}

/** Every document of every table, system tables included, as JSON text. */
async function everyRow(t: Backend): Promise<string[]> {
  const tables = Object.keys(schema.tables) as (keyof typeof schema.tables)[];
  return await t.run(async (ctx) => {
    const rows: string[] = [];
    for (const table of tables) {
      for (const doc of await ctx.db.query(table).collect()) {
        rows.push(JSON.stringify(doc));
      }
    }
    for (const job of await ctx.db.system
      .query("_scheduled_functions")
      .collect()) {
      rows.push(JSON.stringify(job));
    }
    return rows;
  });
}

describe("bootstrap", () => {
  test("creates org, owner and project once, and returns an sbu_ token", async () => {
    const { t, orgId, projectId, owner, ownerSecret } = await bootstrap();
    expect(ownerSecret).toMatch(/^sbu_[A-Za-z0-9_-]{43}$/);
    const state = await t.run(async (ctx) => ({
      orgs: await ctx.db.query("orgs").collect(),
      memberships: await ctx.db.query("memberships").collect(),
      projects: await ctx.db.query("projects").collect(),
      user: await ctx.db.get("users", owner.userId),
      tokens: await ctx.db.query("userTokens").collect(),
    }));
    expect(state.orgs.map((org) => org._id)).toEqual([orgId]);
    expect(state.memberships).toMatchObject([
      { orgId, userId: owner.userId, role: "owner" },
    ]);
    expect(state.projects).toMatchObject([
      { _id: projectId, orgId, key: "SB" },
    ]);
    expect(state.user).toMatchObject({ name: "Ada", email: "ada@example.com" });
    expect(state.tokens).toHaveLength(1);
    expect(state.tokens[0]?.tokenHash).toBe(await sha256Hex(ownerSecret));

    await expectCode(
      t.action(internal.bootstrap.run, {
        ownerName: "Eve",
        ownerEmail: "eve@example.com",
      }),
      "ALREADY_BOOTSTRAPPED",
    );
    const after = await t.run(async (ctx) => ({
      orgs: (await ctx.db.query("orgs").collect()).length,
      users: (await ctx.db.query("users").collect()).length,
      tokens: (await ctx.db.query("userTokens").collect()).length,
    }));
    expect(after).toEqual({ orgs: 1, users: 1, tokens: 1 });
  });
});

describe("POST /auth/token", () => {
  test("a user token exchanges for a JWT that verifies against the JWKS", async () => {
    const { t, owner, ownerSecret } = await bootstrap();
    const body = await exchangeOk(t, ownerSecret);
    expect(body.kind).toBe("user");
    expect(body.scopes).toBeUndefined();
    expect(body.subject).toBe(owner.userId);

    expect(decodeProtectedHeader(body.token)).toMatchObject({
      alg: "RS256",
      kid: "test-key",
    });
    const payload = await verify(t, body.token);
    expect(payload.sub).toBe(owner.userId);
    expect(payload.tid).toBe(owner.tokenId);
    expect(payload.exp).toBe(payload.iat! + 3600);
    expect(body.expiresAt).toBe(payload.exp! * 1000);

    // The JWT is good for the API: the identity it carries resolves to the owner.
    const me = await as(t, owner).query(api.me.get, {});
    expect(me).toMatchObject({ kind: "user", userId: owner.userId });
  });

  test("a JWT is not accepted for another audience or issuer", async () => {
    const { t, ownerSecret } = await bootstrap();
    const { token } = await exchangeOk(t, ownerSecret);
    const response = await t.fetch("/.well-known/jwks.json", { method: "GET" });
    const jwks = createLocalJWKSet((await response.json()) as JSONWebKeySet);
    await expect(
      jwtVerify(token, jwks, { issuer: SITE_URL, audience: "someone-else" }),
    ).rejects.toThrow();
    await expect(
      jwtVerify(token, jwks, {
        issuer: "https://evil.example",
        audience: "switchboard",
      }),
    ).rejects.toThrow();
  });

  test("an agent token exchanges until it is revoked, and revocation is immediate", async () => {
    const boot = await bootstrap();
    const { t } = boot;
    const { agent, secret } = await mintAgentToken(boot);
    expect(secret).toMatch(/^sba_/);

    const body = await exchangeOk(t, secret);
    expect(body).toMatchObject({ kind: "agent", subject: agent.agentId });
    // The scopes come along, so clients (switchboard-mcp) can offer only what is allowed.
    expect(body.scopes).toEqual(
      (await mustRead(t, "agentTokens", agent.tokenId)).scopes,
    );
    const payload = await verify(t, body.token);
    expect(payload.sub).toBe(agent.agentId);
    expect(payload.tid).toBe(agent.tokenId);
    const me = await as(t, agent).query(api.me.get, {});
    expect(me).toMatchObject({ kind: "agent", agentId: agent.agentId });

    await as(t, boot.owner).mutation(api.agentTokens.revoke, {
      tokenId: agent.tokenId,
    });
    const row = await t.run(
      async (ctx) => await ctx.db.get("agentTokens", agent.tokenId),
    );
    expect(row?.revokedAt).toEqual(expect.any(Number));

    const refused = await exchange(t, JSON.stringify({ token: secret }));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /revoked/i,
    );

    // A JWT minted before the revocation is dead on its very next call.
    await expectCode(as(t, agent).query(api.me.get, {}), "UNAUTHENTICATED");
    await expectCode(
      as(t, agent).mutation(api.tasks.create, {
        projectId: boot.projectId,
        title: "After revocation",
      }),
      "UNAUTHENTICATED",
    );
  });

  test("an unknown token of the right shape is 401", async () => {
    const { t } = await bootstrap();
    const response = await exchange(
      t,
      JSON.stringify({
        token: "sbu_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      }),
    );
    expect(response.status).toBe(401);
  });

  const MALFORMED: [string, string][] = [
    ["not JSON", "token=sbu_abc"],
    ["an empty body", ""],
    ["JSON null", "null"],
    ["a JSON string", JSON.stringify("sbu_abc")],
    ["a missing token", JSON.stringify({ secret: "sbu_abc" })],
    ["a non-string token", JSON.stringify({ token: 42 })],
    ["a wrong prefix", JSON.stringify({ token: "ghp_abcdefghijklmnop" })],
    ["an empty token", JSON.stringify({ token: "" })],
    ["a 10 kB token", JSON.stringify({ token: `sbu_${"a".repeat(10_000)}` })],
    ["a 10 kB string", "x".repeat(10_000)],
  ];

  test.each(MALFORMED)(
    "%s is a 400 with an error message",
    async (_name, body) => {
      const { t } = await bootstrap();
      const response = await exchange(t, body);
      expect(response.status).toBe(400);
      const parsed = (await response.json()) as { error?: unknown };
      expect(parsed.error).toEqual(expect.any(String));
      expect(String(parsed.error).length).toBeGreaterThan(0);
    },
  );
});

describe("agent tokens", () => {
  test("only a SHA-256 hash is stored; the secret appears in no row of any table", async () => {
    const boot = await bootstrap();
    const { agent, secret } = await mintAgentToken(boot);
    const row = await boot.t.run(
      async (ctx) => await ctx.db.get("agentTokens", agent.tokenId),
    );
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.tokenHash).toBe(await sha256Hex(secret));

    const rows = await everyRow(boot.t);
    expect(rows.length).toBeGreaterThan(5);
    const secretBody = secret.slice("sba_".length);
    const ownerBody = boot.ownerSecret.slice("sbu_".length);
    for (const text of rows) {
      expect(text).not.toContain(secretBody);
      expect(text).not.toContain(ownerBody);
    }
  });

  test("list never returns the hash", async () => {
    const boot = await bootstrap();
    const { agent } = await mintAgentToken(boot);
    const listed = await as(boot.t, boot.owner).query(api.agentTokens.list, {
      agentId: agent.agentId,
    });
    expect(listed.map((token) => token._id)).toEqual([agent.tokenId]);
    const stored = await boot.t.run(
      async (ctx) => await ctx.db.get("agentTokens", agent.tokenId),
    );
    for (const token of listed) {
      expect(Object.keys(token)).not.toContain("tokenHash");
      expect(JSON.stringify(token)).not.toContain(stored!.tokenHash);
    }
  });

  test.each([
    ["members:manage"],
    ["tokens:manage"],
    ["approvals:resolve"],
    ["tasks:everything"],
  ])('a token with the scope "%s" is refused at mint time', async (scope) => {
    const boot = await bootstrap();
    const owner = as(boot.t, boot.owner);
    const agentId = await owner.mutation(api.agents.create, {
      orgId: boot.orgId,
      name: "greedy",
    });
    await expectCode(
      owner.action(api.agentTokens.create, {
        agentId,
        projectId: boot.projectId,
        label: "too much",
        scopes: ["tasks:read", scope],
      }),
      "INVALID_ARGUMENT",
    );
    const rows = await boot.t.run(
      async (ctx) => await ctx.db.query("agentTokens").collect(),
    );
    expect(rows).toEqual([]);
  });

  test("the minted scopes are the ones the token carries", async () => {
    const boot = await bootstrap();
    const { agent } = await mintAgentToken(boot, ["tasks:read", "tasks:claim"]);
    // "org:read" was not granted, so even me.get is refused.
    await expectCode(as(boot.t, agent).query(api.me.get, {}), "FORBIDDEN");
    const row = await boot.t.run(
      async (ctx) => await ctx.db.get("agentTokens", agent.tokenId),
    );
    expect([...(row?.scopes ?? [])].sort()).toEqual([
      "tasks:claim",
      "tasks:read",
    ]);
    const tasks = await as(boot.t, agent).query(api.tasks.listReady, {
      projectId: boot.projectId,
    });
    expect(tasks).toEqual([]);
  });
});

describe("members", () => {
  test("add returns an sbu_ token that signs in as the new member", async () => {
    const boot = await bootstrap();
    const added = await as(boot.t, boot.owner).action(api.members.add, {
      orgId: boot.orgId,
      email: "grace@example.com",
      name: "Grace",
      role: "member",
    });
    const token = added.token;
    if (token === null)
      throw new Error("a new member must get a first sign-in token");
    expect(token).toMatch(/^sbu_/);
    const body = await exchangeOk(boot.t, token);
    expect(body).toMatchObject({ kind: "user", subject: added.userId });
    const payload = await verify(boot.t, body.token);
    expect(payload.sub).toBe(added.userId);
    expect(payload.sub).not.toBe(boot.owner.userId);

    const tokenRow = await boot.t.run(async (ctx) =>
      ctx.db
        .query("userTokens")
        .withIndex("by_userId", (q) => q.eq("userId", added.userId))
        .unique(),
    );
    expect(payload.tid).toBe(tokenRow?._id);
    expect(tokenRow?.tokenHash).toBe(await sha256Hex(token));
    const me = await as(boot.t, {
      userId: added.userId,
      tokenId: tokenRow!._id,
    }).query(api.me.get, {});
    expect(me).toMatchObject({
      kind: "user",
      userId: added.userId,
      name: "Grace",
    });
  });
});
