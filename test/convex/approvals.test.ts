/**
 * Approvals: requesting, deciding under a policy, cancelling, and the
 * scheduled expiry that settles an approval nobody decided in time.
 */
import { describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { APPROVAL } from "../../convex/model/limits";
import type { OnExpiry, Role } from "../../convex/validators";
import { expectCode } from "./expectCode";
import {
  as,
  auditEvents,
  freshWorld,
  mustRead,
  useFakeClock,
  type AgentActor,
  type Backend,
  type Person,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const TTL = 60_000;

useFakeClock(T0);

const setup = freshWorld;

async function request(
  t: Backend,
  world: World,
  options: {
    by?: Person | AgentActor;
    approverRole?: Role;
    onExpiry?: OnExpiry;
    ttlMs?: number;
  } = {},
): Promise<Id<"approvals">> {
  return await as(t, options.by ?? world.agent).mutation(
    api.approvals.request,
    {
      projectId: world.projectA,
      kind: "tool_use",
      summary: "Run `rm -rf build/`",
      details: "Cleaning the build output before a release build.",
      ...(options.approverRole === undefined
        ? {}
        : { approverRole: options.approverRole }),
      ...(options.onExpiry === undefined ? {} : { onExpiry: options.onExpiry }),
      ttlMs: options.ttlMs ?? TTL,
    },
  );
}

const readApproval = (t: Backend, id: Id<"approvals">) =>
  mustRead(t, "approvals", id);

async function expiryJob(t: Backend, approvalId: Id<"approvals">) {
  const { expiryJobId } = await readApproval(t, approvalId);
  if (expiryJobId === undefined) throw new Error("no expiry job was scheduled");
  return await t.run(
    async (ctx) => await ctx.db.system.get("_scheduled_functions", expiryJobId),
  );
}

async function runTimers(t: Backend): Promise<void> {
  await t.finishAllScheduledFunctions(vi.runAllTimers);
}

describe("requesting", () => {
  test("an agent's request is pending, with the default policy, in the inbox", async () => {
    const { t, world } = await setup();
    const approvalId = await as(t, world.agent).mutation(
      api.approvals.request,
      {
        projectId: world.projectA,
        kind: "deploy",
        summary: "Deploy to staging",
      },
    );
    const stored = await readApproval(t, approvalId);
    expect(stored).toMatchObject({
      projectId: world.projectA,
      requesterId: world.agent.agentId,
      status: "pending",
      kind: "deploy",
      policy: {
        approverRole: "member",
        onExpiry: "expire",
        expiresAt: T0 + APPROVAL.defaultTtlMs,
      },
    });
    expect(stored.resolverId).toBeUndefined();
    const job = await expiryJob(t, approvalId);
    expect(job?.state.kind).toBe("pending");
    expect(job?.scheduledTime).toBe(T0 + APPROVAL.defaultTtlMs);

    const inbox = await as(t, world.a.viewer).query(api.approvals.listPending, {
      projectId: world.projectA,
    });
    expect(inbox.approvals.map((approval) => approval._id)).toEqual([
      approvalId,
    ]);
    expect(inbox.hasMore).toBe(false);

    const events = await auditEvents(t);
    expect(events.at(-1)).toMatchObject({
      action: "approval.request",
      actor: world.agent.agentId,
      entityId: approvalId,
    });
  });

  test("listPending is oldest first, capped, and drops decided approvals", async () => {
    const { t, world } = await setup();
    const first = await request(t, world);
    vi.setSystemTime(T0 + 1);
    const second = await request(t, world);
    vi.setSystemTime(T0 + 2);
    const third = await request(t, world);
    const viewer = as(t, world.a.viewer);
    const page = await viewer.query(api.approvals.listPending, {
      projectId: world.projectA,
      limit: 2,
    });
    expect(page.approvals.map((approval) => approval._id)).toEqual([
      first,
      second,
    ]);
    expect(page.hasMore).toBe(true);

    await as(t, world.a.member).mutation(api.approvals.resolve, {
      approvalId: first,
      decision: "approve",
    });
    const after = await viewer.query(api.approvals.listPending, {
      projectId: world.projectA,
    });
    expect(after.approvals.map((approval) => approval._id)).toEqual([
      second,
      third,
    ]);
  });

  test("a task of another project or an out-of-range ttl is refused", async () => {
    const { t, world } = await setup();
    const foreignTask = await as(t, world.a.member).mutation(api.tasks.create, {
      projectId: world.projectA2,
      title: "Elsewhere",
    });
    await expectCode(
      as(t, world.a.member).mutation(api.approvals.request, {
        projectId: world.projectA,
        taskId: foreignTask,
        kind: "deploy",
        summary: "Nope",
      }),
      "INVALID_ARGUMENT",
    );
    await expectCode(request(t, world, { ttlMs: 10 }), "INVALID_ARGUMENT");
    await expectCode(
      request(t, world, { ttlMs: APPROVAL.maxTtlMs + 1 }),
      "INVALID_ARGUMENT",
    );
    const rows = await t.run(
      async (ctx) => await ctx.db.query("approvals").collect(),
    );
    expect(rows).toEqual([]);
  });
});

describe("deciding", () => {
  test("a member approves", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world);
    vi.setSystemTime(T0 + 5_000);
    const returned = await as(t, world.a.member).mutation(
      api.approvals.resolve,
      {
        approvalId,
        decision: "approve",
      },
    );
    expect(returned.status).toBe("approved");
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "approved",
      resolverId: world.a.member.userId,
      resolvedAt: T0 + 5_000,
    });
    expect((await auditEvents(t)).at(-1)).toMatchObject({
      action: "approval.approved",
      actor: world.a.member.userId,
      before: { status: "pending" },
      after: { status: "approved" },
    });
  });

  test("rejecting needs a reason", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world);
    const member = as(t, world.a.member);
    await expectCode(
      member.mutation(api.approvals.resolve, {
        approvalId,
        decision: "reject",
      }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      member.mutation(api.approvals.resolve, {
        approvalId,
        decision: "reject",
        reason: "   ",
      }),
      "INVALID_ARGUMENT",
    );
    expect((await readApproval(t, approvalId)).status).toBe("pending");
    await member.mutation(api.approvals.resolve, {
      approvalId,
      decision: "reject",
      reason: "Not before the release is tagged.",
    });
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "rejected",
      resolverId: world.a.member.userId,
      reason: "Not before the release is tagged.",
    });
  });

  test("an admin policy refuses a member and accepts an admin", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world, { approverRole: "admin" });
    await expectCode(
      as(t, world.a.member).mutation(api.approvals.resolve, {
        approvalId,
        decision: "approve",
      }),
      "FORBIDDEN",
    );
    expect((await readApproval(t, approvalId)).status).toBe("pending");
    await as(t, world.a.admin).mutation(api.approvals.resolve, {
      approvalId,
      decision: "approve",
    });
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "approved",
      resolverId: world.a.admin.userId,
    });
  });

  test("viewers, agents and outsiders cannot decide", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world, { by: world.a.member });
    for (const caller of [
      world.a.viewer,
      world.agent,
      world.bOwner,
      world.agentB,
    ]) {
      await expectCode(
        as(t, caller).mutation(api.approvals.resolve, {
          approvalId,
          decision: "approve",
        }),
        "FORBIDDEN",
      );
    }
    expect((await readApproval(t, approvalId)).status).toBe("pending");
  });

  test("the requester cannot decide their own request", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world, { by: world.a.admin });
    await expectCode(
      as(t, world.a.admin).mutation(api.approvals.resolve, {
        approvalId,
        decision: "approve",
      }),
      "FORBIDDEN",
    );
    expect((await readApproval(t, approvalId)).status).toBe("pending");
  });

  test("a resolved approval can be neither resolved again nor cancelled", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world);
    await as(t, world.a.member).mutation(api.approvals.resolve, {
      approvalId,
      decision: "approve",
    });
    const decided = await readApproval(t, approvalId);
    const events = (await auditEvents(t)).length;
    await expectCode(
      as(t, world.a.admin).mutation(api.approvals.resolve, {
        approvalId,
        decision: "reject",
        reason: "Changed my mind",
      }),
      "ALREADY_RESOLVED",
    );
    await expectCode(
      as(t, world.a.member).mutation(api.approvals.resolve, {
        approvalId,
        decision: "approve",
      }),
      "ALREADY_RESOLVED",
    );
    await expectCode(
      as(t, world.agent).mutation(api.approvals.cancel, { approvalId }),
      "ALREADY_RESOLVED",
    );
    expect(await readApproval(t, approvalId)).toEqual(decided);
    expect(await auditEvents(t)).toHaveLength(events);
  });
});

describe("cancelling", () => {
  test("only the requester may cancel", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world);
    for (const caller of [world.a.member, world.a.owner]) {
      await expectCode(
        as(t, caller).mutation(api.approvals.cancel, { approvalId }),
        "FORBIDDEN",
      );
    }
    expect((await readApproval(t, approvalId)).status).toBe("pending");

    await as(t, world.agent).mutation(api.approvals.cancel, { approvalId });
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "cancelled",
      resolverId: world.agent.agentId,
    });
    expect((await expiryJob(t, approvalId))?.state.kind).toBe("canceled");
    await expectCode(
      as(t, world.a.member).mutation(api.approvals.resolve, {
        approvalId,
        decision: "approve",
      }),
      "ALREADY_RESOLVED",
    );
  });
});

describe("policy set by agents", () => {
  test("an agent cannot ask for auto-approval on expiry", async () => {
    const { t, world } = await setup();
    const events = (await auditEvents(t)).length;
    await expectCode(
      request(t, world, { onExpiry: "approve", by: world.agent }),
      "FORBIDDEN",
    );
    expect(await auditEvents(t)).toHaveLength(events);
  });
});

describe("expiry", () => {
  const OUTCOMES: [OnExpiry, Doc<"approvals">["status"]][] = [
    ["expire", "expired"],
    ["reject", "rejected"],
    ["approve", "approved"],
  ];

  test.each(OUTCOMES)(
    'onExpiry "%s" settles an undecided approval as %s',
    async (onExpiry, status) => {
      const { t, world } = await setup();
      // Only people may choose auto-approval; agents ask with the other policies.
      const by = onExpiry === "approve" ? world.a.admin : world.agent;
      const approvalId = await request(t, world, { onExpiry, by });
      const events = (await auditEvents(t)).length;

      await runTimers(t);

      const settled = await readApproval(t, approvalId);
      expect(settled).toMatchObject({ status, resolverId: "system" });
      expect(settled.resolvedAt).toBeGreaterThanOrEqual(T0 + TTL);
      expect(settled.reason).toEqual(expect.any(String));
      expect((await expiryJob(t, approvalId))?.state.kind).toBe("success");
      const after = await auditEvents(t);
      expect(after).toHaveLength(events + 1);
      expect(after.at(-1)).toMatchObject({
        action: `approval.${status}`,
        actor: "system",
        entityId: approvalId,
        after: { status },
      });
      const inbox = await as(t, world.a.viewer).query(
        api.approvals.listPending,
        {
          projectId: world.projectA,
        },
      );
      expect(inbox.approvals).toEqual([]);
    },
  );

  test("deciding first cancels the expiry job; the later timer changes nothing", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world, {
      onExpiry: "approve",
      by: world.a.admin,
    });
    vi.setSystemTime(T0 + 10_000);
    await as(t, world.a.member).mutation(api.approvals.resolve, {
      approvalId,
      decision: "reject",
      reason: "Too risky",
    });
    expect((await expiryJob(t, approvalId))?.state.kind).toBe("canceled");
    const decided = await readApproval(t, approvalId);
    const events = (await auditEvents(t)).length;

    await runTimers(t);

    expect(Date.now()).toBeGreaterThanOrEqual(T0 + TTL);
    expect(await readApproval(t, approvalId)).toEqual(decided);
    expect(decided).toMatchObject({
      status: "rejected",
      resolverId: world.a.member.userId,
    });
    expect((await expiryJob(t, approvalId))?.state.kind).toBe("canceled");
    expect(await auditEvents(t)).toHaveLength(events);
  });

  test.each([0, 1, 30_000])(
    "resolving %i ms after the deadline, before the job ran, is refused",
    async (late) => {
      const { t, world } = await setup();
      const approvalId = await request(t, world, { onExpiry: "reject" });
      vi.setSystemTime(T0 + TTL + late);
      await expectCode(
        as(t, world.a.member).mutation(api.approvals.resolve, {
          approvalId,
          decision: "approve",
        }),
        "ALREADY_RESOLVED",
      );
      const stored = await readApproval(t, approvalId);
      expect(stored.status).toBe("pending");
      expect((await expiryJob(t, approvalId))?.state.kind).toBe("pending");

      // The job still runs and applies the policy.
      await runTimers(t);
      expect(await readApproval(t, approvalId)).toMatchObject({
        status: "rejected",
        resolverId: "system",
      });
    },
  );

  test("cancelling after the deadline, before the job ran, is refused", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world, { onExpiry: "reject" });
    vi.setSystemTime(T0 + TTL);
    await expectCode(
      as(t, world.agent).mutation(api.approvals.cancel, { approvalId }),
      "ALREADY_RESOLVED",
    );
    await runTimers(t);
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "rejected",
      resolverId: "system",
    });
  });

  test("one millisecond before the deadline a decision still counts", async () => {
    const { t, world } = await setup();
    const approvalId = await request(t, world);
    vi.setSystemTime(T0 + TTL - 1);
    await as(t, world.a.member).mutation(api.approvals.resolve, {
      approvalId,
      decision: "approve",
    });
    await runTimers(t);
    expect(await readApproval(t, approvalId)).toMatchObject({
      status: "approved",
      resolverId: world.a.member.userId,
    });
  });
});
