/**
 * Test fixtures for convex-test: a backend with two orgs, people in every
 * role, agents with broad and narrow tokens, and helpers to act as each.
 */
import { convexTest, type TestConvexForDataModel } from "convex-test";
import { afterEach, beforeEach, vi } from "vitest";
import { generateSigningKeyEnv } from "../../local-backend/switchboardApp";
import type {
  DataModel,
  Doc,
  Id,
  TableNames,
} from "../../convex/_generated/dataModel";
import type { MutationCtx } from "../../convex/_generated/server";
import schema from "../../convex/schema";
import { AGENT_GRANTABLE } from "../../convex/model/permissions";
import type { Role } from "../../convex/validators";

export const modules = import.meta.glob("../../convex/**/*.ts");

/**
 * A test backend, possibly seen through one caller's identity (what `as`
 * returns): the part of convex-test's API both share.
 */
export type Backend = TestConvexForDataModel<DataModel>;

/**
 * Which backend the shared test bodies run against: convex-test (the
 * `convex` vitest project) or the real local backend through the official
 * clients (the `conformance` project sets SWITCHBOARD_HARNESS=local).
 */
export const harness =
  process.env.SWITCHBOARD_HARNESS === "local" ? "local" : "convex-test";
const localHarness =
  harness === "local" ? await import("./harness/localHarness") : null;

export function newBackend(): Backend {
  if (localHarness !== null)
    return localHarness.newLocalBackend() as unknown as Backend;
  return convexTest(schema, modules);
}

export const SITE_URL = "http://127.0.0.1:3211";

/**
 * Sets a deployment environment variable for the functions of `t`: convex-test
 * runs them in this process (process.env); the local harness's engine has an
 * env of its own.
 */
export async function setDeploymentEnv(
  t: Backend,
  name: string,
  value: string | undefined,
): Promise<void> {
  const local = t as unknown as {
    setEnv?: (name: string, value: string | undefined) => Promise<void>;
  };
  if (local.setEnv !== undefined) await local.setEnv(name, value);
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Gives the deployment a fresh signing key, as `npm run keys` does for real ones. */
export async function configureSigningKey(): Promise<void> {
  process.env.CONVEX_SITE_URL = SITE_URL;
  Object.assign(process.env, await generateSigningKeyEnv("test-key"));
}

export type Person = { userId: Id<"users">; tokenId: Id<"userTokens"> };
export type AgentActor = { agentId: Id<"agents">; tokenId: Id<"agentTokens"> };

export type World = {
  orgA: Id<"orgs">;
  orgB: Id<"orgs">;
  projectA: Id<"projects">;
  /** A second project in org A, outside the agents' token scope. */
  projectA2: Id<"projects">;
  projectB: Id<"projects">;
  /** One person per role in org A. */
  a: Record<Role, Person>;
  /** The owner of org B: the "other org" caller. */
  bOwner: Person;
  /** An agent of org A whose token has every agent scope, limited to projectA. */
  agent: AgentActor;
  /** An agent of org A whose token may only read tasks. */
  readOnlyAgent: AgentActor;
  /** An agent of org B. */
  agentB: AgentActor;
};

export async function makeWorld(t: Backend): Promise<World> {
  return await t.run(async (ctx) => {
    const now = Date.now();
    async function person(name: string): Promise<Person> {
      const userId = await ctx.db.insert("users", {
        name,
        email: `${name}@example.com`,
      });
      const tokenId = await ctx.db.insert("userTokens", {
        userId,
        label: "test",
        tokenHash: `hash-${name}`,
        createdAt: now,
      });
      return { userId, tokenId };
    }
    async function project(orgId: Id<"orgs">, key: string) {
      return await ctx.db.insert("projects", {
        orgId,
        name: key,
        key,
        nextTaskNumber: 1,
      });
    }
    const a = {
      owner: await person("a-owner"),
      admin: await person("a-admin"),
      member: await person("a-member"),
      viewer: await person("a-viewer"),
    };
    const bOwner = await person("b-owner");
    const orgA = await ctx.db.insert("orgs", {
      name: "Org A",
      createdBy: a.owner.userId,
    });
    const orgB = await ctx.db.insert("orgs", {
      name: "Org B",
      createdBy: bOwner.userId,
    });
    for (const role of ["owner", "admin", "member", "viewer"] as const) {
      await ctx.db.insert("memberships", {
        orgId: orgA,
        userId: a[role].userId,
        role,
      });
    }
    await ctx.db.insert("memberships", {
      orgId: orgB,
      userId: bOwner.userId,
      role: "owner",
    });
    const projectA = await project(orgA, "AA");
    const projectA2 = await project(orgA, "AB");
    const projectB = await project(orgB, "BB");
    return {
      orgA,
      orgB,
      projectA,
      projectA2,
      projectB,
      a,
      bOwner,
      agent: await insertAgent(
        ctx,
        orgA,
        projectA,
        "agent-a",
        AGENT_GRANTABLE,
        a.owner.userId,
      ),
      readOnlyAgent: await insertAgent(
        ctx,
        orgA,
        projectA,
        "reader-a",
        ["tasks:read"],
        a.owner.userId,
      ),
      agentB: await insertAgent(
        ctx,
        orgB,
        projectB,
        "agent-b",
        AGENT_GRANTABLE,
        bOwner.userId,
      ),
    };
  });
}

/** Registers an agent with one token limited to `projectId`, carrying `scopes`. */
export async function insertAgent(
  ctx: MutationCtx,
  orgId: Id<"orgs">,
  projectId: Id<"projects">,
  name: string,
  scopes: readonly string[],
  createdBy: Id<"users">,
): Promise<AgentActor> {
  const now = Date.now();
  const agentId = await ctx.db.insert("agents", {
    orgId,
    name,
    instructions: "",
    kind: "external",
    trustLevel: "standard",
    defaultScopes: [...scopes],
    createdBy,
    createdAt: now,
  });
  const tokenId = await ctx.db.insert("agentTokens", {
    agentId,
    orgId,
    projectId,
    label: "test",
    tokenHash: `hash-${name}`,
    scopes: [...scopes],
    createdBy,
    createdAt: now,
  });
  return { agentId, tokenId };
}

/** More agents of org A with tokens for project A, e.g. for claim races. */
export async function addAgents(
  t: Backend,
  world: World,
  names: readonly string[],
  scopes: readonly string[] = AGENT_GRANTABLE,
): Promise<AgentActor[]> {
  return await t.run(async (ctx) => {
    const agents: AgentActor[] = [];
    for (const name of names) {
      agents.push(
        await insertAgent(
          ctx,
          world.orgA,
          world.projectA,
          name,
          scopes,
          world.a.owner.userId,
        ),
      );
    }
    return agents;
  });
}

/** A new backend holding a new world, for tests that each start clean. */
export async function freshWorld(): Promise<{ t: Backend; world: World }> {
  const t = newBackend();
  return { t, world: await makeWorld(t) };
}

/** Freezes Date.now() at `start` for each test of the file; tests move it with vi.setSystemTime. */
export function useFakeClock(
  start: number,
  options: Parameters<typeof vi.useFakeTimers>[0] = {},
) {
  beforeEach(() => {
    // The local backend runs in this process on real timers and sockets: fake only the clock.
    vi.useFakeTimers(harness === "local" ? { toFake: ["Date"] } : options);
    vi.setSystemTime(start);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Reads a document straight from the database, failing the test if it is gone. */
export async function mustRead<T extends TableNames>(
  t: Backend,
  table: T,
  id: Id<T>,
): Promise<Doc<T>> {
  const doc = await t.run(async (ctx) => await ctx.db.get(table, id));
  if (doc === null) throw new Error(`Expected ${id} to exist.`);
  return doc;
}

/** Every audit event, oldest first (tests keep the log small). */
export async function auditEvents(t: Backend): Promise<Doc<"auditEvents">[]> {
  return await t.run(
    async (ctx) => await ctx.db.query("auditEvents").collect(),
  );
}

/** Calls functions as a person or an agent, with the claims our JWTs carry. */
export function as(t: Backend, actor: Person | AgentActor): Backend {
  const subject = "userId" in actor ? actor.userId : actor.agentId;
  return t.withIdentity({ subject, issuer: SITE_URL, tid: actor.tokenId });
}
