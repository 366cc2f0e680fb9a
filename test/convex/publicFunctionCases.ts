/**
 * The case table behind permissions.test.ts: one entry per public Convex
 * function, saying which permission it declares, the least role that may call
 * it, how to build valid arguments, how to break them, and what a successful
 * result must look like. The test derives every refusal (no identity, other
 * org, role just below, agent without the scope) from these few facts.
 */
import { expect } from "vitest";
import {
  getFunctionName,
  type FunctionArgs,
  type FunctionReference,
  type FunctionReturnType,
} from "convex/server";
import { api } from "../../convex/_generated/api";
import type { Doc, Id, TableNames } from "../../convex/_generated/dataModel";
import schema from "../../convex/schema";
import { errorCode, type ErrorCode } from "../../convex/model/errors";
import { describeError, settle } from "./expectCode";
import {
  AGENT_GRANTABLE,
  type Permission,
} from "../../convex/model/permissions";
import type { Role } from "../../convex/validators";
import {
  makeWorld,
  mustRead,
  type AgentActor,
  type Backend,
  type Person,
  type World,
} from "./world";

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/** The shared world plus a signed-in person who belongs to no org at all. */
export type Fixture = World & { loner: Person };

export type Caller = Person | AgentActor;

export async function makeFixture(t: Backend): Promise<Fixture> {
  const world = await makeWorld(t);
  const loner = await t.run(async (ctx) => {
    const userId = await ctx.db.insert("users", {
      name: "loner",
      email: "loner@example.com",
    });
    const tokenId = await ctx.db.insert("userTokens", {
      userId,
      label: "test",
      tokenHash: "hash-loner",
      createdAt: Date.now(),
    });
    return { userId, tokenId };
  });
  return { ...world, loner };
}

export function idOf(caller: Caller): Id<"users"> | Id<"agents"> {
  return "userId" in caller ? caller.userId : caller.agentId;
}

/**
 * A second token for org A's agent carrying every agent scope except one:
 * the sharpest "agent without the scope" there is.
 */
export async function agentLacking(
  t: Backend,
  world: World,
  permission: Permission,
): Promise<AgentActor> {
  const agentId = world.agent.agentId;
  const tokenId = await t.run(
    async (ctx) =>
      await ctx.db.insert("agentTokens", {
        agentId,
        orgId: world.orgA,
        projectId: world.projectA,
        label: `without ${permission}`,
        tokenHash: `hash-without-${permission}`,
        scopes: AGENT_GRANTABLE.filter((scope) => scope !== permission),
        createdBy: world.a.owner.userId,
        createdAt: Date.now(),
      }),
  );
  return { agentId, tokenId };
}

function isTableName(name: string): name is TableNames {
  return name in schema.tables;
}

/** Every document of every table: equal snapshots mean nothing was written. */
export async function snapshot(t: Backend): Promise<string> {
  const tables = Object.keys(schema.tables).filter(isTableName);
  return await t.run(async (ctx) => {
    const dump: Record<string, unknown[]> = {};
    for (const table of tables)
      dump[table] = await ctx.db.query(table).collect();
    return JSON.stringify(dump);
  });
}

type TaskFields = Partial<
  Omit<Doc<"tasks">, "_id" | "_creationTime" | "projectId">
>;

export async function insertTask(
  t: Backend,
  world: World,
  fields: TaskFields = {},
  projectId: Id<"projects"> = world.projectA,
): Promise<Id<"tasks">> {
  return await t.run(async (ctx) => {
    const project = await ctx.db.get("projects", projectId);
    if (project === null) throw new Error("No such project.");
    await ctx.db.patch("projects", projectId, {
      nextTaskNumber: project.nextTaskNumber + 1,
    });
    const now = Date.now();
    return await ctx.db.insert("tasks", {
      projectId,
      number: project.nextTaskNumber,
      title: "Seed task",
      description: "",
      status: "todo",
      priority: "medium",
      priorityRank: 2,
      labels: [],
      dependsOn: [],
      openBlockers: 0,
      createdBy: world.a.owner.userId,
      createdAt: now,
      updatedAt: now,
      ...fields,
    });
  });
}

/** A task in progress whose live lease `holder` holds. */
export async function insertLeasedTask(
  t: Backend,
  world: World,
  holder: Caller,
): Promise<Id<"tasks">> {
  const holderId = idOf(holder);
  return await insertTask(t, world, {
    status: "in_progress",
    assigneeId: holderId,
    lease: { holderId, expiresAt: Date.now() + 60_000 },
  });
}

export async function insertThread(
  t: Backend,
  world: World,
  taskId?: Id<"tasks">,
): Promise<Id<"threads">> {
  return await t.run(async (ctx) => {
    const now = Date.now();
    return await ctx.db.insert("threads", {
      projectId: world.projectA,
      taskId,
      title: "Seed thread",
      createdBy: world.a.owner.userId,
      createdAt: now,
      lastMessageAt: now,
    });
  });
}

export async function insertMessage(
  t: Backend,
  world: World,
  threadId: Id<"threads">,
): Promise<Id<"messages">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("messages", {
        threadId,
        authorId: world.a.owner.userId,
        kind: "text",
        body: "Seed message",
        createdAt: Date.now(),
      }),
  );
}

export async function insertApproval(
  t: Backend,
  world: World,
  requester: Caller,
  fields: { taskId?: Id<"tasks">; approverRole?: Role } = {},
): Promise<Id<"approvals">> {
  return await t.run(async (ctx) => {
    const now = Date.now();
    return await ctx.db.insert("approvals", {
      projectId: world.projectA,
      taskId: fields.taskId,
      requesterId: idOf(requester),
      kind: "deploy",
      summary: "Deploy to production",
      details: "",
      policy: {
        approverRole: fields.approverRole ?? "member",
        expiresAt: now + 60 * 60_000,
        onExpiry: "expire",
      },
      status: "pending",
      createdAt: now,
    });
  });
}

export async function insertAuditEvent(
  t: Backend,
  world: World,
  entity: { entity: "org" | "task"; entityId: string },
): Promise<Id<"auditEvents">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("auditEvents", {
        orgId: world.orgA,
        actor: world.a.owner.userId,
        action: "seed",
        ...entity,
        at: Date.now(),
      }),
  );
}

export async function membershipOf(
  t: Backend,
  orgId: Id<"orgs">,
  person: Person,
): Promise<Id<"memberships">> {
  const membership = await t.run(
    async (ctx) =>
      await ctx.db
        .query("memberships")
        .withIndex("by_orgId_userId", (q) =>
          q.eq("orgId", orgId).eq("userId", person.userId),
        )
        .unique(),
  );
  if (membership === null) throw new Error("No such membership.");
  return membership._id;
}

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

/** Awaits a call that Convex's argument validator must refuse. */
export async function expectValidatorError(
  promise: Promise<unknown>,
): Promise<void> {
  const outcome = await settle(promise);
  if (outcome.ok) {
    expect.fail(
      `Expected an argument validation error, but the call succeeded with ${JSON.stringify(outcome.value)}.`,
    );
  }
  const { error } = outcome;
  expect(errorCode(error), describeError(error)).toBeUndefined();
  expect(error instanceof Error ? error.message : String(error)).toMatch(
    /Validator error|ArgumentValidationError/,
  );
}

// ---------------------------------------------------------------------------
// The case shape
// ---------------------------------------------------------------------------

type PublicRef = FunctionReference<"query" | "mutation" | "action", "public">;

export type Invalid = {
  args: Record<string, unknown>;
  /** "validator": Convex's argument validator refuses; otherwise our code. */
  expect: "validator" | ErrorCode;
};

export const badType = (args: Record<string, unknown>): Invalid => ({
  args,
  expect: "validator",
});
export const semantic = (args: Record<string, unknown>): Invalid => ({
  args,
  expect: "INVALID_ARGUMENT",
});

export type Env<Args> = {
  t: Backend;
  world: Fixture;
  /** Who made the successful call. */
  caller: Caller;
  args: Args;
};

/**
 * "signedIn": any signed-in person may call it, member of an org or not;
 * the test then refuses agents instead of a lower role.
 */
export type MinCaller = Role | "signedIn";

type CaseSpec<F extends PublicRef> = {
  /** The permission the function declares in convex/functions.ts. */
  permission: Permission;
  min: MinCaller;
  /** Builds valid arguments; `caller` is who will make the successful call. */
  setup(
    t: Backend,
    world: Fixture,
    caller: Caller,
  ): FunctionArgs<F> | Promise<FunctionArgs<F>>;
  invalid(world: Fixture, args: FunctionArgs<F>): Invalid;
  check(
    result: FunctionReturnType<F>,
    env: Env<FunctionArgs<F>>,
  ): Promise<void> | void;
  /**
   * For functions that take no tenant argument (they act on the caller's
   * own data): another org's caller succeeds but must see only its own.
   */
  isolated?(
    result: FunctionReturnType<F>,
    env: Env<FunctionArgs<F>>,
  ): Promise<void> | void;
};

export type Prepared = {
  args: Record<string, unknown>;
  invalid: Invalid;
  check: (result: unknown, caller: Caller) => Promise<void>;
  isolated: (result: unknown, caller: Caller) => Promise<void>;
};

export type PublicCase = {
  /** "module:function", as Convex names it. */
  name: string;
  permission: Permission;
  min: MinCaller;
  isolated: boolean;
  prepare: (t: Backend, world: Fixture, caller: Caller) => Promise<Prepared>;
};

export function defineCase<F extends PublicRef>(
  ref: F,
  spec: CaseSpec<F>,
): PublicCase {
  return {
    name: getFunctionName(ref),
    permission: spec.permission,
    min: spec.min,
    isolated: spec.isolated !== undefined,
    prepare: async (t, world, setupCaller) => {
      const args = await spec.setup(t, world, setupCaller);
      const env = (caller: Caller) => ({ t, world, caller, args });
      return {
        args,
        invalid: spec.invalid(world, args),
        check: async (result, caller) => {
          await spec.check(result, env(caller));
        },
        isolated: async (result, caller) => {
          if (spec.isolated === undefined) {
            throw new Error(`${getFunctionName(ref)} is not isolated.`);
          }
          await spec.isolated(result, env(caller));
        },
      };
    },
  };
}

const page = { numItems: 10, cursor: null };

// ---------------------------------------------------------------------------
// The table: one entry per public function
// ---------------------------------------------------------------------------

const taskCases: PublicCase[] = [
  defineCase(api.tasks.create, {
    permission: "tasks:write",
    min: "member",
    setup: (_t, world) => ({
      projectId: world.projectA,
      title: "Write the tests",
      labels: ["qa"],
    }),
    invalid: (_world, args) => semantic({ ...args, title: "   " }),
    check: async (taskId, { t, world, caller }) => {
      const task = await mustRead(t, "tasks", taskId);
      expect(task.projectId).toBe(world.projectA);
      expect(task.title).toBe("Write the tests");
      expect(task.status).toBe("todo");
      expect(task.createdBy).toBe(idOf(caller));
    },
  }),
  defineCase(api.tasks.get, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => ({ taskId: await insertTask(t, world) }),
    invalid: (world) => badType({ taskId: world.projectA }),
    check: (task, { args }) => {
      expect(task._id).toBe(args.taskId);
      expect(task.title).toBe("Seed task");
    },
  }),
  defineCase(api.tasks.list, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertTask(t, world);
      return {
        projectId: world.projectA,
        status: "todo" as const,
        paginationOpts: page,
      };
    },
    invalid: (_world, args) => badType({ ...args, status: "doing" }),
    check: (result) => {
      expect(result.page.map((task) => task.title)).toEqual(["Seed task"]);
    },
  }),
  defineCase(api.tasks.listReady, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertTask(t, world);
      return { projectId: world.projectA };
    },
    invalid: (_world, args) => badType({ ...args, limit: "5" }),
    check: (tasks) => {
      expect(tasks.map((task) => task.title)).toEqual(["Seed task"]);
    },
  }),
  defineCase(api.tasks.listByAssignee, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      const assigneeId = world.a.member.userId;
      await insertTask(t, world, { assigneeId });
      return { projectId: world.projectA, assigneeId };
    },
    invalid: (world, args) => badType({ ...args, assigneeId: world.projectA }),
    check: (tasks, { args }) => {
      expect(tasks).toHaveLength(1);
      expect(tasks[0]?.assigneeId).toBe(args.assigneeId);
    },
  }),
  defineCase(api.tasks.update, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => ({
      taskId: await insertTask(t, world),
      title: "Renamed",
    }),
    invalid: (_world, args) => semantic({ ...args, title: "" }),
    check: async (task, { t, args }) => {
      expect(task.title).toBe("Renamed");
      expect((await mustRead(t, "tasks", args.taskId)).title).toBe("Renamed");
    },
  }),
  defineCase(api.tasks.move, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => ({
      taskId: await insertTask(t, world),
      status: "in_progress" as const,
    }),
    invalid: (_world, args) => badType({ ...args, status: "archived" }),
    check: async (task, { t, args }) => {
      expect(task.status).toBe("in_progress");
      expect((await mustRead(t, "tasks", args.taskId)).status).toBe(
        "in_progress",
      );
    },
  }),
  defineCase(api.tasks.assign, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => ({
      taskId: await insertTask(t, world),
      assigneeId: world.a.member.userId,
    }),
    // Someone outside org A is a well-typed id but not assignable.
    invalid: (world, args) =>
      semantic({ ...args, assigneeId: world.bOwner.userId }),
    check: (task, { world }) => {
      expect(task.assigneeId).toBe(world.a.member.userId);
    },
  }),
  defineCase(api.tasks.setDependencies, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => ({
      taskId: await insertTask(t, world),
      dependsOn: [await insertTask(t, world, { title: "Blocker" })],
    }),
    invalid: (world, args) => badType({ ...args, dependsOn: [world.projectA] }),
    check: (task, { args }) => {
      expect(task.dependsOn).toEqual(args.dependsOn);
      expect(task.openBlockers).toBe(1);
    },
  }),
  defineCase(api.tasks.claim, {
    permission: "tasks:claim",
    min: "member",
    setup: async (t, world) => ({
      projectId: world.projectA,
      taskId: await insertTask(t, world),
    }),
    invalid: (_world, args) => semantic({ ...args, leaseMs: 5 }),
    check: (task, { caller }) => {
      expect(task.status).toBe("in_progress");
      expect(task.lease?.holderId).toBe(idOf(caller));
    },
  }),
  defineCase(api.tasks.renewLease, {
    permission: "tasks:claim",
    min: "member",
    setup: async (t, world, caller) => ({
      taskId: await insertLeasedTask(t, world, caller),
      leaseMs: 30 * 60_000,
    }),
    invalid: (_world, args) => semantic({ ...args, leaseMs: 1 }),
    check: (task, { caller }) => {
      expect(task.lease?.holderId).toBe(idOf(caller));
      expect(task.lease?.expiresAt).toBeGreaterThan(Date.now() + 20 * 60_000);
    },
  }),
  defineCase(api.tasks.release, {
    permission: "tasks:claim",
    min: "member",
    setup: async (t, world, caller) => ({
      taskId: await insertLeasedTask(t, world, caller),
    }),
    invalid: () => badType({}),
    check: (task) => {
      expect(task.status).toBe("todo");
      expect(task.lease).toBeUndefined();
      expect(task.assigneeId).toBeUndefined();
    },
  }),
];

const threadCases: PublicCase[] = [
  defineCase(api.threads.create, {
    permission: "threads:post",
    min: "member",
    setup: (_t, world) => ({
      projectId: world.projectA,
      title: "Design",
    }),
    invalid: (_world, args) => semantic({ ...args, title: " " }),
    check: async (threadId, { t, world, caller }) => {
      const thread = await mustRead(t, "threads", threadId);
      expect(thread.projectId).toBe(world.projectA);
      expect(thread.title).toBe("Design");
      expect(thread.createdBy).toBe(idOf(caller));
    },
  }),
  defineCase(api.threads.ensureForTask, {
    permission: "threads:post",
    min: "member",
    setup: async (t, world) => ({ taskId: await insertTask(t, world) }),
    invalid: (world) => badType({ taskId: world.projectA }),
    check: async (threadId, { t, args }) => {
      expect((await mustRead(t, "threads", threadId)).taskId).toBe(args.taskId);
    },
  }),
  defineCase(api.threads.get, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => ({ threadId: await insertThread(t, world) }),
    invalid: () => badType({ threadId: 42 }),
    check: (thread, { args }) => {
      expect(thread._id).toBe(args.threadId);
      expect(thread.title).toBe("Seed thread");
    },
  }),
  defineCase(api.threads.forTask, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => {
      const taskId = await insertTask(t, world);
      await insertThread(t, world, taskId);
      return { taskId };
    },
    invalid: (world) => badType({ taskId: world.orgA }),
    check: (thread, { args }) => {
      expect(thread?.taskId).toBe(args.taskId);
    },
  }),
  defineCase(api.threads.list, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertThread(t, world);
      return { projectId: world.projectA, paginationOpts: page };
    },
    invalid: (world) => badType({ projectId: world.projectA }),
    check: (result) => {
      expect(result.page.map((thread) => thread.title)).toEqual([
        "Seed thread",
      ]);
    },
  }),
];

const messageCases: PublicCase[] = [
  defineCase(api.messages.post, {
    permission: "threads:post",
    min: "member",
    setup: async (t, world) => ({
      threadId: await insertThread(t, world),
      body: "Hello, thread",
    }),
    invalid: (_world, args) => semantic({ ...args, body: "  " }),
    check: async (messageId, { t, args, caller }) => {
      const message = await mustRead(t, "messages", messageId);
      expect(message.threadId).toBe(args.threadId);
      expect(message.body).toBe("Hello, thread");
      expect(message.authorId).toBe(idOf(caller));
    },
  }),
  defineCase(api.messages.postSessionEvent, {
    permission: "threads:post",
    min: "member",
    setup: async (t, world) => ({
      threadId: await insertThread(t, world),
      event: "session_start" as const,
      sessionId: "session-1",
    }),
    invalid: (_world, args) => semantic({ ...args, sessionId: "" }),
    check: async (messageId, { t }) => {
      const message = await mustRead(t, "messages", messageId);
      expect(message.kind).toBe("event");
      expect(message.event).toBe("session_start");
      expect(message.sessionId).toBe("session-1");
    },
  }),
  defineCase(api.messages.list, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => {
      const threadId = await insertThread(t, world);
      await insertMessage(t, world, threadId);
      return { threadId, paginationOpts: page };
    },
    invalid: (_world, args) =>
      badType({ ...args, paginationOpts: { numItems: "10", cursor: null } }),
    check: (result) => {
      expect(result.page.map((message) => message.body)).toEqual([
        "Seed message",
      ]);
    },
  }),
  defineCase(api.messages.listSince, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => {
      const threadId = await insertThread(t, world);
      await insertMessage(t, world, threadId);
      return { threadId, after: 0 };
    },
    invalid: (_world, args) => badType({ ...args, after: "0" }),
    check: (result) => {
      expect(result.messages.map((message) => message.body)).toEqual([
        "Seed message",
      ]);
      expect(result.hasMore).toBe(false);
    },
  }),
];

const approvalCases: PublicCase[] = [
  defineCase(api.approvals.request, {
    permission: "approvals:request",
    min: "member",
    setup: (_t, world) => ({
      projectId: world.projectA,
      kind: "deploy",
      summary: "Ship it",
    }),
    invalid: (_world, args) => semantic({ ...args, summary: "" }),
    check: async (approvalId, { t, caller }) => {
      const approval = await mustRead(t, "approvals", approvalId);
      expect(approval.status).toBe("pending");
      expect(approval.summary).toBe("Ship it");
      expect(approval.requesterId).toBe(idOf(caller));
    },
  }),
  defineCase(api.approvals.resolve, {
    permission: "approvals:resolve",
    min: "member",
    // Requested by the owner, so the member decides someone else's request.
    setup: async (t, world) => ({
      approvalId: await insertApproval(t, world, world.a.owner),
      decision: "approve" as const,
    }),
    invalid: (_world, args) => semantic({ ...args, decision: "reject" }),
    check: (approval, { caller }) => {
      expect(approval.status).toBe("approved");
      expect(approval.resolverId).toBe(idOf(caller));
    },
  }),
  defineCase(api.approvals.cancel, {
    permission: "approvals:request",
    min: "member",
    setup: async (t, world, caller) => ({
      approvalId: await insertApproval(t, world, caller),
    }),
    invalid: (world) => badType({ approvalId: world.projectA }),
    check: (approval, { caller }) => {
      expect(approval.status).toBe("cancelled");
      expect(approval.resolverId).toBe(idOf(caller));
    },
  }),
  defineCase(api.approvals.get, {
    permission: "approvals:read",
    min: "viewer",
    setup: async (t, world) => ({
      approvalId: await insertApproval(t, world, world.a.owner),
    }),
    invalid: () => badType({}),
    check: (approval, { args }) => {
      expect(approval._id).toBe(args.approvalId);
      expect(approval.kind).toBe("deploy");
    },
  }),
  defineCase(api.approvals.listPending, {
    permission: "approvals:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertApproval(t, world, world.a.owner);
      return { projectId: world.projectA };
    },
    invalid: (_world, args) => badType({ ...args, limit: "all" }),
    check: (result) => {
      expect(result.approvals.map((approval) => approval.summary)).toEqual([
        "Deploy to production",
      ]);
    },
  }),
  defineCase(api.approvals.list, {
    permission: "approvals:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertApproval(t, world, world.a.owner);
      return {
        projectId: world.projectA,
        status: "pending" as const,
        paginationOpts: page,
      };
    },
    invalid: (_world, args) => badType({ ...args, status: "open" }),
    check: (result) => {
      expect(result.page).toHaveLength(1);
      expect(result.page[0]?.status).toBe("pending");
    },
  }),
  defineCase(api.approvals.listForTask, {
    permission: "approvals:read",
    min: "viewer",
    setup: async (t, world) => {
      const taskId = await insertTask(t, world);
      await insertApproval(t, world, world.a.owner, { taskId });
      return { taskId };
    },
    invalid: (world) => badType({ taskId: world.agent.agentId }),
    check: (approvals, { args }) => {
      expect(approvals).toHaveLength(1);
      expect(approvals[0]?.taskId).toBe(args.taskId);
    },
  }),
];

const orgCases: PublicCase[] = [
  defineCase(api.orgs.listMine, {
    permission: "org:read",
    // Anyone signed in may call it; a viewer is the least member with something to list.
    min: "viewer",
    setup: () => ({}),
    invalid: () => badType({ orgId: "anything" }),
    check: (orgs, { world, caller }) => {
      expect(orgs).toEqual([
        {
          orgId: world.orgA,
          name: "Org A",
          role: "userId" in caller ? "viewer" : null,
        },
      ]);
    },
    isolated: (orgs, { world }) => {
      expect(orgs.map((org) => org.orgId)).toEqual([world.orgB]);
    },
  }),
  defineCase(api.orgs.create, {
    // Any signed-in person may start an org (no role is checked: a person in
    // no org at all succeeds). Agents are refused instead: "org:manage" is not
    // an agent scope, so the insufficient case is the full-scope agent.
    permission: "org:manage",
    min: "signedIn",
    setup: () => ({ name: "Org C" }),
    invalid: () => semantic({ name: "  " }),
    check: async (orgId, { t, caller }) => {
      expect((await mustRead(t, "orgs", orgId)).name).toBe("Org C");
      const members = await t.run(
        async (ctx) =>
          await ctx.db
            .query("memberships")
            .withIndex("by_orgId_userId", (q) => q.eq("orgId", orgId))
            .collect(),
      );
      expect(members.map(({ userId, role }) => ({ userId, role }))).toEqual([
        { userId: idOf(caller), role: "owner" },
      ]);
    },
    // A person of another org creates an org of their own: org A gains nobody.
    isolated: async (orgId, { t, world }) => {
      expect(orgId).not.toBe(world.orgA);
      const orgAMembers = await t.run(
        async (ctx) =>
          await ctx.db
            .query("memberships")
            .withIndex("by_orgId_userId", (q) => q.eq("orgId", world.orgA))
            .collect(),
      );
      expect(orgAMembers).toHaveLength(4);
    },
  }),
];

const memberCases: PublicCase[] = [
  defineCase(api.members.list, {
    permission: "org:read",
    min: "viewer",
    setup: (_t, world) => ({ orgId: world.orgA }),
    invalid: (world) => badType({ orgId: world.projectA }),
    check: (members) => {
      expect(members.map(({ name, role }) => `${name}:${role}`).sort()).toEqual(
        [
          "a-admin:admin",
          "a-member:member",
          "a-owner:owner",
          "a-viewer:viewer",
        ],
      );
    },
  }),
  defineCase(api.members.add, {
    permission: "members:manage",
    min: "admin",
    setup: (_t, world) => ({
      orgId: world.orgA,
      email: "New.Person@Example.com",
      name: "New Person",
      role: "member" as const,
    }),
    invalid: (_world, args) => semantic({ ...args, email: "not-an-email" }),
    check: async (added, { t, world }) => {
      const membership = await mustRead(t, "memberships", added.membershipId);
      expect(membership).toMatchObject({
        orgId: world.orgA,
        userId: added.userId,
        role: "member",
      });
      expect((await mustRead(t, "users", added.userId)).email).toBe(
        "new.person@example.com",
      );
      expect(added.token).toMatch(/^sbu_/);
    },
  }),
  defineCase(api.members.setRole, {
    permission: "members:manage",
    min: "admin",
    setup: async (t, world) => ({
      membershipId: await membershipOf(t, world.orgA, world.a.member),
      role: "viewer" as const,
    }),
    invalid: (_world, args) => badType({ ...args, role: "superuser" }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      expect((await mustRead(t, "memberships", args.membershipId)).role).toBe(
        "viewer",
      );
    },
  }),
  defineCase(api.members.remove, {
    permission: "members:manage",
    min: "admin",
    setup: async (t, world) => ({
      membershipId: await membershipOf(t, world.orgA, world.a.viewer),
    }),
    invalid: (world) => badType({ membershipId: world.orgA }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      expect(
        await t.run(
          async (ctx) => await ctx.db.get("memberships", args.membershipId),
        ),
      ).toBeNull();
    },
  }),
];

const projectCases: PublicCase[] = [
  defineCase(api.projects.create, {
    permission: "projects:manage",
    min: "admin",
    setup: (_t, world) => ({
      orgId: world.orgA,
      name: "Gamma",
      key: "gm",
    }),
    invalid: (_world, args) => semantic({ ...args, key: "1!" }),
    check: async (projectId, { t, world }) => {
      const project = await mustRead(t, "projects", projectId);
      expect(project).toMatchObject({
        orgId: world.orgA,
        name: "Gamma",
        key: "GM",
      });
    },
  }),
  defineCase(api.projects.get, {
    permission: "projects:read",
    min: "viewer",
    setup: (_t, world) => ({ projectId: world.projectA }),
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (project, { world }) => {
      expect(project._id).toBe(world.projectA);
      expect(project.key).toBe("AA");
    },
  }),
  defineCase(api.projects.list, {
    permission: "projects:read",
    min: "viewer",
    setup: (_t, world) => ({ orgId: world.orgA }),
    invalid: () => badType({}),
    // An agent sees only the project its token is limited to.
    check: (projects, { caller }) => {
      expect(projects.map((project) => project.key).sort()).toEqual(
        "userId" in caller ? ["AA", "AB"] : ["AA"],
      );
    },
  }),
];

const agentCases: PublicCase[] = [
  defineCase(api.agents.create, {
    permission: "agents:manage",
    min: "admin",
    setup: (_t, world) => ({ orgId: world.orgA, name: "builder" }),
    invalid: (_world, args) =>
      semantic({ ...args, defaultScopes: ["org:manage"] }),
    check: async (agentId, { t, world, caller }) => {
      const agent = await mustRead(t, "agents", agentId);
      expect(agent).toMatchObject({
        orgId: world.orgA,
        name: "builder",
        createdBy: idOf(caller),
      });
    },
  }),
  defineCase(api.agents.get, {
    permission: "agents:read",
    min: "viewer",
    setup: (_t, world) => ({ agentId: world.agent.agentId }),
    invalid: (world) => badType({ agentId: world.agent.tokenId }),
    check: (agent, { world }) => {
      expect(agent._id).toBe(world.agent.agentId);
      expect(agent.name).toBe("agent-a");
    },
  }),
  defineCase(api.agents.list, {
    permission: "agents:read",
    min: "viewer",
    setup: (_t, world) => ({ orgId: world.orgA }),
    invalid: () => badType({ orgId: null }),
    check: (agents) => {
      expect(agents.map((agent) => agent.name).sort()).toEqual([
        "agent-a",
        "reader-a",
      ]);
    },
  }),
];

const agentTokenCases: PublicCase[] = [
  defineCase(api.agentTokens.create, {
    permission: "tokens:manage",
    min: "admin",
    setup: (_t, world) => ({
      agentId: world.agent.agentId,
      projectId: world.projectA,
      label: "ci",
      scopes: ["tasks:read", "threads:read"],
    }),
    invalid: (_world, args) =>
      semantic({ ...args, scopes: ["members:manage"] }),
    check: async (created, { t, world }) => {
      const token = await mustRead(t, "agentTokens", created.tokenId);
      expect(token).toMatchObject({
        agentId: world.agent.agentId,
        projectId: world.projectA,
        label: "ci",
        scopes: ["tasks:read", "threads:read"],
      });
      expect(created.token).toMatch(/^sba_/);
      expect(token.tokenHash).not.toContain(created.token);
    },
  }),
  defineCase(api.agentTokens.list, {
    permission: "tokens:manage",
    min: "admin",
    setup: (_t, world) => ({ agentId: world.agent.agentId }),
    invalid: (world) => badType({ agentId: world.projectA }),
    check: (tokens, { world }) => {
      expect(tokens.map((token) => token._id)).toContain(world.agent.tokenId);
      for (const token of tokens) expect(token).not.toHaveProperty("tokenHash");
    },
  }),
  defineCase(api.agentTokens.revoke, {
    permission: "tokens:manage",
    min: "admin",
    setup: (_t, world) => ({ tokenId: world.readOnlyAgent.tokenId }),
    invalid: (world) => badType({ tokenId: world.readOnlyAgent.agentId }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      expect(
        (await mustRead(t, "agentTokens", args.tokenId)).revokedAt,
      ).toBeTypeOf("number");
    },
  }),
];

const auditCases: PublicCase[] = [
  defineCase(api.audit.list, {
    permission: "audit:read",
    min: "admin",
    setup: async (t, world) => {
      await insertAuditEvent(t, world, { entity: "org", entityId: world.orgA });
      return { orgId: world.orgA, paginationOpts: page };
    },
    // Filtering by entity and actor at once is refused by our own check.
    invalid: (world, args) =>
      semantic({
        ...args,
        entity: { entity: "org", entityId: world.orgA },
        actor: world.a.owner.userId,
      }),
    check: (result) => {
      expect(result.page.map((event) => event.action)).toEqual(["seed"]);
    },
  }),
  defineCase(api.audit.listForTask, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      const taskId = await insertTask(t, world);
      await insertAuditEvent(t, world, { entity: "task", entityId: taskId });
      return { taskId };
    },
    invalid: (world) => badType({ taskId: world.projectA }),
    check: (events, { args }) => {
      expect(events.map((event) => event.entityId)).toEqual([args.taskId]);
    },
  }),
];

const meCases: PublicCase[] = [
  defineCase(api.me.get, {
    // Any signed-in person may ask who they are; an agent needs "org:read",
    // so world.readOnlyAgent is refused.
    permission: "org:read",
    min: "signedIn",
    setup: () => ({}),
    invalid: () => badType({ userId: "someone-else" }),
    check: (me, { caller, world }) => {
      if ("userId" in caller) {
        expect(me).toEqual({
          kind: "user",
          userId: caller.userId,
          name: "loner",
          email: "loner@example.com",
        });
      } else {
        expect(me).toMatchObject({
          kind: "agent",
          agentId: caller.agentId,
          orgId: world.orgA,
          projectId: world.projectA,
        });
      }
    },
    isolated: (me, { caller }) => {
      expect(me.kind === "user" ? me.userId : me.agentId).toBe(idOf(caller));
    },
  }),
];

export const CASES: readonly PublicCase[] = [
  ...taskCases,
  ...threadCases,
  ...messageCases,
  ...approvalCases,
  ...orgCases,
  ...memberCases,
  ...projectCases,
  ...agentCases,
  ...agentTokenCases,
  ...auditCases,
  ...meCases,
];
