/**
 * Claims and leases: claiming named and "next ready" tasks, the claim race,
 * the lease lifecycle (renew, expiry, reclaim by the cron, release) and who
 * may touch a leased task.
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import crons from "../../convex/crons";
import { LEASE } from "../../convex/model/limits";
import { canTransition } from "../../convex/model/taskStatus";
import type { Priority, TaskStatus } from "../../convex/validators";
import { expectCode, rejectionCode } from "./expectCode";
import {
  addAgents,
  as,
  auditEvents,
  mustRead,
  freshWorld,
  useFakeClock,
  type AgentActor,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

useFakeClock(T0);

const setup = freshWorld;

/** Registers `count` agents of org A, each with a full-scope token for project A. */
async function makeAgents(
  t: Backend,
  world: World,
  count: number,
): Promise<AgentActor[]> {
  return await addAgents(
    t,
    world,
    Array.from({ length: count }, (_, i) => `swarm-${i}`),
  );
}

async function newTask(
  t: Backend,
  world: World,
  title: string,
  priority: Priority = "medium",
  dependsOn: Id<"tasks">[] = [],
): Promise<Id<"tasks">> {
  return await as(t, world.a.member).mutation(api.tasks.create, {
    projectId: world.projectA,
    title,
    priority,
    dependsOn,
  });
}

const readTask = (t: Backend, id: Id<"tasks">) => mustRead(t, "tasks", id);

async function reclaim(t: Backend): Promise<number> {
  return await t.mutation(internal.leases.reclaimExpired, {});
}

describe("claiming", () => {
  test("a named task: in progress, assigned, leased for the asked duration", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world, "Named");
    const claimed = await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    expect(claimed._id).toBe(taskId);
    const stored = await readTask(t, taskId);
    expect(stored).toMatchObject({
      status: "in_progress",
      assigneeId: world.agent.agentId,
      lease: { holderId: world.agent.agentId, expiresAt: T0 + 60_000 },
    });
  });

  test("without leaseMs the default lease applies", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world, "Default lease");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    expect((await readTask(t, taskId)).lease?.expiresAt).toBe(
      T0 + LEASE.defaultMs,
    );
  });

  test("the next ready task: highest priority first, oldest first within one", async () => {
    const { t, world } = await setup();
    const low = await newTask(t, world, "low", "low");
    const urgentOld = await newTask(t, world, "urgent old", "urgent");
    const high = await newTask(t, world, "high", "high");
    const urgentNew = await newTask(t, world, "urgent new", "urgent");
    const blocker = await newTask(t, world, "blocker", "low");
    // Urgent but blocked: never handed out while its blocker is open.
    await newTask(t, world, "blocked", "urgent", [blocker]);

    const agent = as(t, world.agent);
    const order: Id<"tasks">[] = [];
    for (let i = 0; i < 5; i++) {
      const claimed = await agent.mutation(api.tasks.claim, {
        projectId: world.projectA,
      });
      order.push(claimed._id);
      expect((await readTask(t, claimed._id)).lease?.holderId).toBe(
        world.agent.agentId,
      );
    }
    expect(order).toEqual([urgentOld, urgentNew, high, low, blocker]);
    await expectCode(
      agent.mutation(api.tasks.claim, { projectId: world.projectA }),
      "NOTHING_READY",
    );
  });

  test("NOTHING_READY on an empty queue, and when only unready tasks exist", async () => {
    const { t, world } = await setup();
    const agent = as(t, world.agent);
    await expectCode(
      agent.mutation(api.tasks.claim, { projectId: world.projectA }),
      "NOTHING_READY",
    );
    const member = as(t, world.a.member);
    await member.mutation(api.tasks.create, {
      projectId: world.projectA,
      title: "Backlog",
      status: "backlog",
    });
    const parked = await newTask(t, world, "Parked");
    await member.mutation(api.tasks.move, {
      taskId: parked,
      status: "blocked",
    });
    const blocker = await newTask(t, world, "Blocker");
    await member.mutation(api.tasks.move, {
      taskId: blocker,
      status: "in_progress",
    });
    await newTask(t, world, "Waiting", "urgent", [blocker]);
    const before = await auditEvents(t);
    await expectCode(
      agent.mutation(api.tasks.claim, { projectId: world.projectA }),
      "NOTHING_READY",
    );
    expect(await auditEvents(t)).toHaveLength(before.length);
  });

  test("a task with open dependencies is not claimable", async () => {
    const { t, world } = await setup();
    const blocker = await newTask(t, world, "Blocker");
    const taskId = await newTask(t, world, "Blocked", "urgent", [blocker]);
    const before = await readTask(t, taskId);
    await expectCode(
      as(t, world.agent).mutation(api.tasks.claim, {
        projectId: world.projectA,
        taskId,
      }),
      "NOT_CLAIMABLE",
    );
    expect(await readTask(t, taskId)).toEqual(before);
  });

  test("a task leased by someone else is not claimable; the holder may re-claim", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const taskId = await newTask(t, world, "Taken");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    const leased = await readTask(t, taskId);
    await expectCode(
      as(t, other!).mutation(api.tasks.claim, {
        projectId: world.projectA,
        taskId,
      }),
      "NOT_CLAIMABLE",
    );
    // People are subject to the same rule when they claim.
    await expectCode(
      as(t, world.a.member).mutation(api.tasks.claim, {
        projectId: world.projectA,
        taskId,
      }),
      "NOT_CLAIMABLE",
    );
    expect(await readTask(t, taskId)).toEqual(leased);

    vi.setSystemTime(T0 + 1_000);
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    expect((await readTask(t, taskId)).lease).toEqual({
      holderId: world.agent.agentId,
      expiresAt: T0 + 61_000,
    });
  });

  test("finished or cancelled tasks are not claimable", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const done = await newTask(t, world, "Done");
    await member.mutation(api.tasks.move, {
      taskId: done,
      status: "in_progress",
    });
    await member.mutation(api.tasks.move, { taskId: done, status: "done" });
    const cancelled = await newTask(t, world, "Cancelled");
    await member.mutation(api.tasks.move, {
      taskId: cancelled,
      status: "cancelled",
    });
    for (const taskId of [done, cancelled]) {
      await expectCode(
        as(t, world.agent).mutation(api.tasks.claim, {
          projectId: world.projectA,
          taskId,
        }),
        "NOT_CLAIMABLE",
      );
    }
  });
});

describe("the claim race", () => {
  // convex-test runs one transaction at a time, so these calls are serialized
  // rather than truly concurrent; the test still pins the observable outcome.
  test("50 agents claim one task: exactly one wins, 49 get NOT_CLAIMABLE", async () => {
    const { t, world } = await setup();
    const agents = await makeAgents(t, world, 50);
    const taskId = await newTask(t, world, "Contended");
    const before = await auditEvents(t);

    const results = await Promise.allSettled(
      agents.map((agent) =>
        as(t, agent).mutation(api.tasks.claim, {
          projectId: world.projectA,
          taskId,
        }),
      ),
    );

    const codes = results.map(rejectionCode);
    expect(codes.filter((code) => code === "fulfilled")).toHaveLength(1);
    expect(codes.filter((code) => code === "NOT_CLAIMABLE")).toHaveLength(49);
    const winnerIndex = codes.indexOf("fulfilled");
    const winner = agents[winnerIndex]!;
    const stored = await readTask(t, taskId);
    expect(stored.lease?.holderId).toBe(winner.agentId);
    expect(stored.assigneeId).toBe(winner.agentId);
    const claims = (await auditEvents(t))
      .slice(before.length)
      .filter((event) => event.action === "task.claim");
    expect(claims).toHaveLength(1);
    expect(claims[0]?.actor).toBe(winner.agentId);
  });

  test("50 agents claim the next ready task among 10: 10 distinct winners, 40 NOTHING_READY", async () => {
    const { t, world } = await setup();
    const agents = await makeAgents(t, world, 50);
    const taskIds: Id<"tasks">[] = [];
    for (let i = 0; i < 10; i++)
      taskIds.push(await newTask(t, world, `Task ${i}`));

    const results = await Promise.allSettled(
      agents.map((agent) =>
        as(t, agent).mutation(api.tasks.claim, { projectId: world.projectA }),
      ),
    );

    const codes = results.map(rejectionCode);
    expect(codes.filter((code) => code === "fulfilled")).toHaveLength(10);
    expect(codes.filter((code) => code === "NOTHING_READY")).toHaveLength(40);
    const won = new Map<Id<"tasks">, Id<"agents">>();
    results.forEach((result, i) => {
      if (result.status === "fulfilled")
        won.set(result.value._id, agents[i]!.agentId);
    });
    expect([...won.keys()].sort()).toEqual([...taskIds].sort());
    for (const [taskId, agentId] of won) {
      const stored = await readTask(t, taskId);
      expect(stored.status).toBe("in_progress");
      expect(stored.lease?.holderId).toBe(agentId);
    }
    expect(new Set(won.values()).size).toBe(10);
  });
});

describe("the lease lifecycle", () => {
  test("claim, renew, expire, reclaim, LEASE_LOST, claim by another", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const holder = as(t, world.agent);
    const taskId = await newTask(t, world, "Long job");
    await holder.mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    expect((await readTask(t, taskId)).lease?.expiresAt).toBe(T0 + 60_000);

    vi.setSystemTime(T0 + 30_000);
    const renewed = await holder.mutation(api.tasks.renewLease, {
      taskId,
      leaseMs: 60_000,
    });
    expect(renewed.lease?.expiresAt).toBe(T0 + 90_000);
    expect((await readTask(t, taskId)).lease?.expiresAt).toBe(T0 + 90_000);

    // Past the original expiry but inside the renewed lease: nothing to do.
    vi.setSystemTime(T0 + 60_001);
    expect(await reclaim(t)).toBe(0);
    expect((await readTask(t, taskId)).lease?.holderId).toBe(
      world.agent.agentId,
    );

    vi.setSystemTime(T0 + 90_001);
    const before = await auditEvents(t);
    expect(await reclaim(t)).toBe(1);
    const reclaimed = await readTask(t, taskId);
    expect(reclaimed.status).toBe("todo");
    expect(reclaimed.lease).toBeUndefined();
    expect(reclaimed.assigneeId).toBeUndefined();
    const after = await auditEvents(t);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      action: "task.lease_expired",
      actor: "system",
      entity: "task",
      entityId: taskId,
      orgId: world.orgA,
      before: { status: "in_progress", leaseHolderId: world.agent.agentId },
      after: { status: "todo", leaseHolderId: null },
    });
    // Running again finds nothing.
    expect(await reclaim(t)).toBe(0);

    await expectCode(
      holder.mutation(api.tasks.renewLease, { taskId }),
      "LEASE_LOST",
    );
    await expectCode(
      holder.mutation(api.tasks.release, { taskId }),
      "LEASE_LOST",
    );

    await as(t, other!).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    expect((await readTask(t, taskId)).lease?.holderId).toBe(other!.agentId);
  });

  test("a lease is dead exactly at expiresAt", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world, "Boundary");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    vi.setSystemTime(T0 + 59_999);
    expect(await reclaim(t)).toBe(0);
    vi.setSystemTime(T0 + 60_000);
    expect(await reclaim(t)).toBe(1);
  });

  test("after expiry another agent may take the task before the cron runs", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const taskId = await newTask(t, world, "Stale");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    vi.setSystemTime(T0 + 61_000);
    await as(t, other!).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    expect(await readTask(t, taskId)).toMatchObject({
      status: "in_progress",
      assigneeId: other!.agentId,
      lease: { holderId: other!.agentId, expiresAt: T0 + 121_000 },
    });
    await expectCode(
      as(t, world.agent).mutation(api.tasks.renewLease, { taskId }),
      "LEASE_LOST",
    );
    // The new lease is live, so the cron leaves it alone.
    expect(await reclaim(t)).toBe(0);
  });

  test("release by the holder returns the task to the queue", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world, "Give back");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    const released = await as(t, world.agent).mutation(api.tasks.release, {
      taskId,
    });
    expect(released.status).toBe("todo");
    const stored = await readTask(t, taskId);
    expect(stored.status).toBe("todo");
    expect(stored.lease).toBeUndefined();
    expect(stored.assigneeId).toBeUndefined();
    const ready = await as(t, world.a.viewer).query(api.tasks.listReady, {
      projectId: world.projectA,
    });
    expect(ready.map((task) => task._id)).toContain(taskId);
  });

  test("release or renew by a non-holder is LEASE_LOST and changes nothing", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const taskId = await newTask(t, world, "Mine");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    const leased = await readTask(t, taskId);
    for (const caller of [as(t, other!), as(t, world.a.member)]) {
      await expectCode(
        caller.mutation(api.tasks.release, { taskId }),
        "LEASE_LOST",
      );
      await expectCode(
        caller.mutation(api.tasks.renewLease, { taskId }),
        "LEASE_LOST",
      );
    }
    expect(await readTask(t, taskId)).toEqual(leased);
    // Renewing a task nobody holds is LEASE_LOST too.
    const free = await newTask(t, world, "Free");
    await expectCode(
      as(t, world.agent).mutation(api.tasks.renewLease, { taskId: free }),
      "LEASE_LOST",
    );
  });
});

describe("who may change a leased task", () => {
  test("another agent is FORBIDDEN; a person may take over", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const taskId = await newTask(t, world, "Leased");
    const blocker = await newTask(t, world, "Some other task");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    const leased = await readTask(t, taskId);
    const intruder = as(t, other!);
    await expectCode(
      intruder.mutation(api.tasks.move, { taskId, status: "in_review" }),
      "FORBIDDEN",
    );
    await expectCode(
      intruder.mutation(api.tasks.update, { taskId, title: "Hijacked" }),
      "FORBIDDEN",
    );
    await expectCode(
      intruder.mutation(api.tasks.assign, {
        taskId,
        assigneeId: other!.agentId,
      }),
      "FORBIDDEN",
    );
    await expectCode(
      intruder.mutation(api.tasks.setDependencies, {
        taskId,
        dependsOn: [blocker],
      }),
      "FORBIDDEN",
    );
    expect(await readTask(t, taskId)).toEqual(leased);

    // The holder itself may work the task.
    await as(t, world.agent).mutation(api.tasks.update, {
      taskId,
      branch: "feat/x",
    });

    // A person edits and moves it; moving within active work keeps the lease.
    const member = as(t, world.a.member);
    await member.mutation(api.tasks.update, { taskId, title: "Taken over" });
    await member.mutation(api.tasks.move, { taskId, status: "in_review" });
    expect(await readTask(t, taskId)).toMatchObject({
      title: "Taken over",
      branch: "feat/x",
      status: "in_review",
      lease: { holderId: world.agent.agentId },
    });
    // Finishing ends the lease; the agent learns on its next renewal.
    await member.mutation(api.tasks.move, { taskId, status: "done" });
    expect((await readTask(t, taskId)).lease).toBeUndefined();
    await expectCode(
      as(t, world.agent).mutation(api.tasks.renewLease, { taskId }),
      "LEASE_LOST",
    );
  });

  test("once the lease has expired another agent may change the task", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const taskId = await newTask(t, world, "Expired");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    vi.setSystemTime(T0 + 60_000);
    await as(t, other!).mutation(api.tasks.update, {
      taskId,
      title: "Picked up",
    });
    expect((await readTask(t, taskId)).title).toBe("Picked up");
  });
});

describe("lease changes follow the state machine", () => {
  /** A status change made as a side effect must be one the table allows. */
  function expectLegal(from: TaskStatus, to: TaskStatus): void {
    expect(
      from === to || canTransition(from, to),
      `${from} -> ${to} is not in ALLOWED_TRANSITIONS`,
    ).toBe(true);
  }

  async function claimThenReview(t: Backend, world: World) {
    const taskId = await newTask(t, world, "Under review");
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
      leaseMs: 60_000,
    });
    // Handing the task to review keeps the agent's lease (an active status).
    await as(t, world.agent).mutation(api.tasks.move, {
      taskId,
      status: "in_review",
    });
    const inReview = await readTask(t, taskId);
    expect(inReview.status).toBe("in_review");
    expect(inReview.lease?.holderId).toBe(world.agent.agentId);
    return taskId;
  }

  test("claiming a todo task is a legal move", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world, "Claim me");
    const claimed = await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId,
    });
    expectLegal("todo", claimed.status);
  });

  test("releasing a task in review is a legal move", async () => {
    const { t, world } = await setup();
    const taskId = await claimThenReview(t, world);
    const released = await as(t, world.agent).mutation(api.tasks.release, {
      taskId,
    });
    expect(released.lease).toBeUndefined();
    expectLegal("in_review", released.status);
  });

  test("reclaiming an expired lease on a task in review is a legal move", async () => {
    const { t, world } = await setup();
    const taskId = await claimThenReview(t, world);
    vi.setSystemTime(T0 + 60_000);
    expect(await reclaim(t)).toBe(1);
    const reclaimed = await readTask(t, taskId);
    expect(reclaimed.lease).toBeUndefined();
    expectLegal("in_review", reclaimed.status);
  });
});

describe("reclaimExpired", () => {
  test("touches only expired leases", async () => {
    const { t, world } = await setup();
    const [other] = await makeAgents(t, world, 1);
    const member = as(t, world.a.member);
    const shortLease = await newTask(t, world, "Short lease");
    const longLease = await newTask(t, world, "Long lease");
    const queued = await newTask(t, world, "Queued");
    const unleased = await newTask(t, world, "Worked by a person");
    await member.mutation(api.tasks.move, {
      taskId: unleased,
      status: "in_progress",
    });
    const finished = await newTask(t, world, "Finished");
    await member.mutation(api.tasks.move, {
      taskId: finished,
      status: "in_progress",
    });
    await member.mutation(api.tasks.move, { taskId: finished, status: "done" });
    await as(t, world.agent).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId: shortLease,
      leaseMs: 60_000,
    });
    await as(t, other!).mutation(api.tasks.claim, {
      projectId: world.projectA,
      taskId: longLease,
      leaseMs: 3_600_000,
    });
    const untouched = [longLease, queued, unleased, finished];
    const snapshot = await Promise.all(untouched.map((id) => readTask(t, id)));

    vi.setSystemTime(T0 + 120_000);
    const before = await auditEvents(t);
    expect(await reclaim(t)).toBe(1);
    expect(await Promise.all(untouched.map((id) => readTask(t, id)))).toEqual(
      snapshot,
    );
    expect((await readTask(t, shortLease)).status).toBe("todo");
    const events = (await auditEvents(t)).slice(before.length);
    expect(events.map((event) => [event.action, event.entityId])).toEqual([
      ["task.lease_expired", shortLease],
    ]);
  });

  test("is registered as a cron", () => {
    const jobs = Object.values(crons.crons);
    const job = jobs.find((entry) => entry.name === "leases:reclaimExpired");
    expect(job).toBeDefined();
    expect(job?.schedule).toMatchObject({ type: "interval", minutes: 1 });
    expect(job?.args).toEqual([{}]);
  });
});
