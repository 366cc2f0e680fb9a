/// <reference types="vite/client" />
/**
 * Every public Convex function, five ways: the least-privileged caller
 * succeeds; invalid arguments are refused; no identity is refused; another
 * org's caller is refused and nothing changes; a role just below the minimum
 * (and an agent without the scope) is refused and nothing changes.
 *
 * The list of functions comes from the convex/ modules themselves, so adding
 * a public function without a case in publicFunctionCases.ts fails here.
 */
import { makeFunctionReference } from "convex/server";
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { isAgentGrantable, ROLE_ORDER } from "../../convex/model/permissions";
import { AGENT_TOOL_CASES } from "./agentFunctionCases";
import { GITHUB_CASES } from "./githubCases";
import { NATIVE_SESSION_CASES } from "./nativeSessionCases";
import { SANDBOX_CASES } from "./sandboxCases";
import { VIEW_CASES } from "./viewFunctionCases";
import { WORKFLOW_CASES } from "./workflowCases";
import {
  agentLacking,
  CASES as CORE_CASES,
  expectValidatorError,
  idOf,
  insertApproval,
  makeFixture,
  membershipOf,
  snapshot,
  type Caller,
  type Fixture,
  type MinCaller,
  type PublicCase,
} from "./publicFunctionCases";
import { expectCode, settle } from "./expectCode";
import { as, auditEvents, newBackend, type Backend } from "./world";

/** The core functions' cases, the MCP tools', the VS Code views', sandboxes', GitHub's, workflows' and native sessions'. */
const CASES: readonly PublicCase[] = [
  ...CORE_CASES,
  ...AGENT_TOOL_CASES,
  ...VIEW_CASES,
  ...SANDBOX_CASES,
  ...GITHUB_CASES,
  ...WORKFLOW_CASES,
  ...NATIVE_SESSION_CASES,
];

// ---------------------------------------------------------------------------
// Which public functions exist
// ---------------------------------------------------------------------------

type Kind = "query" | "mutation" | "action";

const convexModules = import.meta.glob<Record<string, unknown>>(
  ["../../convex/**/*.ts", "!../../convex/_generated/**"],
  { eager: true },
);

/** How convex/server marks a registered public function (registration_impl.ts). */
function publicKind(value: unknown): Kind | null {
  if (
    typeof value !== "function" &&
    (typeof value !== "object" || value === null)
  ) {
    return null;
  }
  if (!("isPublic" in value) || value.isPublic !== true) return null;
  if ("isQuery" in value && value.isQuery === true) return "query";
  if ("isMutation" in value && value.isMutation === true) return "mutation";
  if ("isAction" in value && value.isAction === true) return "action";
  return null;
}

function moduleName(path: string): string {
  return path.replace(/^\.\.\/\.\.\/convex\//, "").replace(/\.ts$/, "");
}

const PUBLIC_FUNCTIONS = new Map<string, Kind>();
for (const [path, exports] of Object.entries(convexModules)) {
  for (const [exportName, value] of Object.entries(exports)) {
    const kind = publicKind(value);
    if (kind !== null)
      PUBLIC_FUNCTIONS.set(`${moduleName(path)}:${exportName}`, kind);
  }
}

/** Module paths the generated `api` is built from (the `ApiFromModules<{…}>` keys). */
function generatedApiModules(): Set<string> {
  const sources = Object.values(
    import.meta.glob<string>("../../convex/_generated/api.d.ts", {
      query: "?raw",
      import: "default",
      eager: true,
    }),
  );
  const source = sources[0];
  if (source === undefined)
    throw new Error("convex/_generated/api.d.ts is missing.");
  const body = source.slice(source.indexOf("ApiFromModules<{"));
  const names = [
    ...body.matchAll(/^\s*(?:"([^"]+)"|([\w$]+)): typeof [\w$]+;$/gm),
  ].map((match) => match[1] ?? match[2] ?? "");
  return new Set(names);
}

describe("the case table covers exactly the public functions", () => {
  const caseNames = CASES.map((c) => c.name);

  test("the enumeration finds the public functions", () => {
    // Guards the guard: an enumeration that finds nothing would pass vacuously.
    expect(PUBLIC_FUNCTIONS.size).toBeGreaterThan(40);
    expect(PUBLIC_FUNCTIONS.get("tasks:create")).toBe("mutation");
    expect(PUBLIC_FUNCTIONS.get("tasks:get")).toBe("query");
    expect(PUBLIC_FUNCTIONS.get("members:add")).toBe("action");
    expect(PUBLIC_FUNCTIONS.has("members:insert")).toBe(false);
  });

  test("every public function has a case", () => {
    const missing = [...PUBLIC_FUNCTIONS.keys()].filter(
      (name) => !caseNames.includes(name),
    );
    expect(
      missing,
      `Public functions without a case in publicFunctionCases.ts`,
    ).toEqual([]);
  });

  test("every case names a public function (no stale cases)", () => {
    const stale = caseNames.filter((name) => !PUBLIC_FUNCTIONS.has(name));
    expect(stale, "Cases for functions that are not public (any more)").toEqual(
      [],
    );
  });

  test("no function has two cases", () => {
    const duplicates = caseNames.filter(
      (name, index) => caseNames.indexOf(name) !== index,
    );
    expect(duplicates).toEqual([]);
  });

  test("convex/_generated/api.d.ts lists every module with public functions", () => {
    const generated = generatedApiModules();
    expect(generated.has("tasks"), "api.d.ts could not be parsed").toBe(true);
    const withFunctions = new Set(
      [...PUBLIC_FUNCTIONS.keys()].map((name) => name.split(":")[0]),
    );
    const absent = [...withFunctions].filter(
      (name) => name !== undefined && !generated.has(name),
    );
    expect(
      absent,
      "Modules missing from the generated api: run `npm run codegen`",
    ).toEqual([]);
  });

  test("convex/_generated/api.d.ts lists no module that is gone", () => {
    const files = new Set(Object.keys(convexModules).map(moduleName));
    const gone = [...generatedApiModules()].filter((name) => !files.has(name));
    expect(
      gone,
      "Stale modules in the generated api: run `npm run codegen`",
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Calling a function by name, as someone
// ---------------------------------------------------------------------------

type Args = Record<string, unknown>;

async function invoke(
  backend: Backend,
  name: string,
  args: Args,
): Promise<unknown> {
  const kind = PUBLIC_FUNCTIONS.get(name);
  switch (kind) {
    case "query":
      return await backend.query(
        makeFunctionReference<"query", Args, unknown>(name),
        args,
      );
    case "mutation":
      return await backend.mutation(
        makeFunctionReference<"mutation", Args, unknown>(name),
        args,
      );
    case "action":
      return await backend.action(
        makeFunctionReference<"action", Args, unknown>(name),
        args,
      );
    case undefined:
      throw new Error(`${name} is not a public function.`);
  }
}

type CallerSpec = {
  label: string;
  resolve: (t: Backend, world: Fixture) => Caller | Promise<Caller>;
};

function fixed(label: string, pick: (world: Fixture) => Caller): CallerSpec {
  return { label, resolve: (_t, world) => pick(world) };
}

function happyCaller(min: MinCaller): CallerSpec {
  return min === "signedIn"
    ? fixed("loner (signed in, in no org)", (world) => world.loner)
    : fixed(`a.${min}`, (world) => world.a[min]);
}

function otherOrgCallers(c: PublicCase): CallerSpec[] {
  const callers = [fixed("bOwner", (world) => world.bOwner)];
  if (isAgentGrantable(c.permission))
    callers.push(fixed("agentB", (world) => world.agentB));
  return callers;
}

/**
 * The role just below the minimum, and an agent that lacks the permission:
 * one with every other agent scope (and world.readOnlyAgent, where it lacks
 * it too), or, for permissions no agent token can carry, the full-scope agent.
 */
function insufficientCallers(c: PublicCase): CallerSpec[] {
  const callers: CallerSpec[] = [];
  if (c.min !== "signedIn") {
    const below = ROLE_ORDER[ROLE_ORDER.indexOf(c.min) - 1];
    if (below !== undefined)
      callers.push(fixed(`a.${below}`, (world) => world.a[below]));
  }
  if (isAgentGrantable(c.permission)) {
    callers.push({
      label: `agent without "${c.permission}"`,
      resolve: async (t, world) => await agentLacking(t, world, c.permission),
    });
    if (c.permission !== "tasks:read") {
      callers.push(fixed("readOnlyAgent", (world) => world.readOnlyAgent));
    }
  } else {
    callers.push(fixed("agent (every agent scope)", (world) => world.agent));
  }
  return callers;
}

async function fresh(): Promise<{ t: Backend; world: Fixture }> {
  const t = newBackend();
  return { t, world: await makeFixture(t) };
}

// ---------------------------------------------------------------------------
// Five aspects per function
// ---------------------------------------------------------------------------

describe.each(CASES)("$name", (c) => {
  const happy = happyCaller(c.min);
  const succeeders = isAgentGrantable(c.permission)
    ? [happy, fixed("agent (full scopes)", (world) => world.agent)]
    : [happy];

  test.each(succeeders)("happy path: $label succeeds", async (spec) => {
    const { t, world } = await fresh();
    const caller = await spec.resolve(t, world);
    const prepared = await c.prepare(t, world, caller);
    const before = new Set((await auditEvents(t)).map((event) => event._id));
    const result = await invoke(as(t, caller), c.name, prepared.args);
    await prepared.check(result, caller);
    if (PUBLIC_FUNCTIONS.get(c.name) !== "query") {
      // Every data-changing function writes an audit event naming its caller.
      const added = (await auditEvents(t)).filter(
        (event) => !before.has(event._id),
      );
      expect(added.map((event) => event.actor)).toContain(idOf(caller));
    }
  });

  test(`validation: invalid arguments are refused (as ${happy.label})`, async () => {
    const { t, world } = await fresh();
    const caller = await happy.resolve(t, world);
    const { invalid } = await c.prepare(t, world, caller);
    const before = await snapshot(t);
    const attempt = invoke(as(t, caller), c.name, invalid.args);
    if (invalid.expect === "validator") await expectValidatorError(attempt);
    else await expectCode(attempt, invalid.expect);
    expect(await snapshot(t)).toBe(before);
  });

  test("unauthenticated: no identity is refused", async () => {
    const { t, world } = await fresh();
    const { args } = await c.prepare(t, world, await happy.resolve(t, world));
    const before = await snapshot(t);
    await expectCode(invoke(t, c.name, args), "UNAUTHENTICATED");
    expect(await snapshot(t)).toBe(before);
  });

  if (c.isolated) {
    test.each(otherOrgCallers(c))(
      "other org: $label acts on its own data only",
      async (spec) => {
        const { t, world } = await fresh();
        const { args, isolated } = await c.prepare(
          t,
          world,
          await happy.resolve(t, world),
        );
        const caller = await spec.resolve(t, world);
        await isolated(await invoke(as(t, caller), c.name, args), caller);
      },
    );
  } else {
    test.each(otherOrgCallers(c))(
      "other org: $label is refused and nothing changes",
      async (spec) => {
        const { t, world } = await fresh();
        const { args } = await c.prepare(
          t,
          world,
          await happy.resolve(t, world),
        );
        const caller = await spec.resolve(t, world);
        const before = await snapshot(t);
        await expectCode(invoke(as(t, caller), c.name, args), "FORBIDDEN");
        expect(await snapshot(t)).toBe(before);
      },
    );
  }

  test.each(insufficientCallers(c))(
    "insufficient: $label is refused and nothing changes",
    async (spec) => {
      const { t, world } = await fresh();
      const { args } = await c.prepare(t, world, await happy.resolve(t, world));
      const caller = await spec.resolve(t, world);
      const before = await snapshot(t);
      await expectCode(invoke(as(t, caller), c.name, args), "FORBIDDEN");
      expect(await snapshot(t)).toBe(before);
    },
  );
});

// ---------------------------------------------------------------------------
// Escalations the per-function table cannot express
// ---------------------------------------------------------------------------

describe("cross-tenant and policy escalations", () => {
  test("members:add does not hand an org's admin a sign-in token for a person of another org", async () => {
    const { t, world } = await fresh();
    const tokensOf = async (userId: Id<"users">) =>
      await t.run(
        async (ctx) =>
          await ctx.db
            .query("userTokens")
            .withIndex("by_userId", (q) => q.eq("userId", userId))
            .collect(),
      );
    const before = await tokensOf(world.a.owner.userId);
    // The owner of org B "adds" org A's owner to org B by email.
    const outcome = await settle(
      as(t, world.bOwner).action(api.members.add, {
        orgId: world.orgB,
        email: "a-owner@example.com",
        name: "Whoever",
        role: "viewer",
      }),
    );
    // The existing person joins org B, and keeps signing in with their own credentials.
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(
        outcome.value.token,
        "bOwner must not receive a sign-in token for a-owner (account takeover)",
      ).toBeNull();
      expect(outcome.value.userId).toBe(world.a.owner.userId);
    }
    expect(await tokensOf(world.a.owner.userId)).toEqual(before);
  });

  test("agentTokens:create refuses to bind another org's agent to the caller's project", async () => {
    const { t, world } = await fresh();
    const before = await snapshot(t);
    await expectCode(
      as(t, world.bOwner).action(api.agentTokens.create, {
        agentId: world.agent.agentId,
        projectId: world.projectB,
        label: "stolen",
      }),
      "INVALID_ARGUMENT",
    );
    expect(await snapshot(t)).toBe(before);
  });

  test("an agent cannot act outside the one project its token is limited to", async () => {
    const { t, world } = await fresh();
    const before = await snapshot(t);
    await expectCode(
      invoke(as(t, world.agent), "tasks:create", {
        projectId: world.projectA2,
        title: "x",
      }),
      "FORBIDDEN",
    );
    expect(await snapshot(t)).toBe(before);
  });

  test("approvals:resolve refuses a member when the policy needs an admin", async () => {
    const { t, world } = await fresh();
    const approvalId = await insertApproval(t, world, world.a.owner, {
      approverRole: "admin",
    });
    const before = await snapshot(t);
    await expectCode(
      invoke(as(t, world.a.member), "approvals:resolve", {
        approvalId,
        decision: "approve",
      }),
      "FORBIDDEN",
    );
    expect(await snapshot(t)).toBe(before);
  });

  test("approvals:resolve refuses the requester deciding their own request", async () => {
    const { t, world } = await fresh();
    const approvalId = await insertApproval(t, world, world.a.admin);
    await expectCode(
      invoke(as(t, world.a.admin), "approvals:resolve", {
        approvalId,
        decision: "approve",
      }),
      "FORBIDDEN",
    );
  });

  test("an admin cannot make or unmake owners", async () => {
    const { t, world } = await fresh();
    const before = await snapshot(t);
    await expectCode(
      invoke(as(t, world.a.admin), "members:add", {
        orgId: world.orgA,
        email: "new@example.com",
        name: "New",
        role: "owner",
      }),
      "FORBIDDEN",
    );
    await expectCode(
      invoke(as(t, world.a.admin), "members:setRole", {
        membershipId: await membershipOf(t, world.orgA, world.a.owner),
        role: "viewer",
      }),
      "FORBIDDEN",
    );
    await expectCode(
      invoke(as(t, world.a.admin), "members:remove", {
        membershipId: await membershipOf(t, world.orgA, world.a.owner),
      }),
      "FORBIDDEN",
    );
    expect(await snapshot(t)).toBe(before);
  });

  test("a revoked agent token is refused as unauthenticated", async () => {
    const { t, world } = await fresh();
    await t.run(async (ctx) => {
      await ctx.db.patch("agentTokens", world.agent.tokenId, {
        revokedAt: Date.now(),
      });
    });
    await expectCode(
      invoke(as(t, world.agent), "projects:get", { projectId: world.projectA }),
      "UNAUTHENTICATED",
    );
  });
});
