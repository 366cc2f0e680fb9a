/**
 * The task functions behind the MCP tools (convex/agentTasks.ts): list
 * filters, claims, progress updates under a lease, and subtasks.
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { expectCode } from "./expectCode";
import { insertTask } from "./publicFunctionCases";
import {
  addAgents,
  as,
  freshWorld,
  mustRead,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

async function create(
  t: Backend,
  world: World,
  args: { title: string } & Record<string, unknown>,
): Promise<Id<"tasks">> {
  const task = await as(t, world.agent).mutation(api.agentTasks.create, args);
  return task.id;
}

const ids = (result: { tasks: { id: Id<"tasks"> }[] }) =>
  result.tasks.map((task) => task.id);

describe("agentTasks.list", () => {
  test("filters by status, assignee and readiness, capped with hasMore", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const first = await create(t, world, { title: "First", priority: "high" });
    const second = await create(t, world, {
      title: "Second",
      dependsOn: [first],
    });
    const later = await create(t, world, { title: "Later", status: "backlog" });
    const theirs = await insertTask(t, world, {
      title: "Theirs",
      assigneeId: world.a.member.userId,
    });
    const mine = await create(t, world, { title: "Mine", priority: "low" });
    await agent.mutation(api.agentTasks.claim, { taskId: mine });

    const list = (args: Record<string, unknown>) =>
      agent.query(api.agentTasks.list, args);
    expect(ids(await list({ readyOnly: true }))).toEqual([first, theirs]);
    expect(ids(await list({ assignee: "me" }))).toEqual([mine]);
    expect(ids(await list({ assignee: "unassigned", status: "todo" }))).toEqual(
      [first, second],
    );
    expect(
      ids(await list({ assignee: world.a.member.userId, readyOnly: true })),
    ).toEqual([theirs]);
    expect(ids(await list({ status: "backlog" }))).toEqual([later]);
    const capped = await list({ limit: 2 });
    expect(capped.tasks).toHaveLength(2);
    expect(capped.hasMore).toBe(true);
    const [secondView] = (
      await list({ status: "todo", assignee: "unassigned" })
    ).tasks.filter((task) => task.id === second);
    expect(secondView).toMatchObject({ ready: false, openDependencies: 1 });

    await expectCode(
      list({ readyOnly: true, status: "done" }),
      "INVALID_ARGUMENT",
    );
    // People belong to many projects: they must say which.
    await expectCode(
      as(t, world.a.member).query(api.agentTasks.list, {}),
      "INVALID_ARGUMENT",
    );
    const asPerson = await as(t, world.a.member).query(api.agentTasks.list, {
      projectId: world.projectA,
      assignee: "me",
    });
    expect(ids(asPerson)).toEqual([theirs]);
  });
});

describe("agentTasks.claim", () => {
  test("takes the next ready task by priority; refuses tasks of other projects", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    await create(t, world, { title: "Low", priority: "low" });
    const urgent = await create(t, world, {
      title: "Urgent",
      priority: "urgent",
    });
    const claimed = await agent.mutation(api.agentTasks.claim, {});
    expect(claimed.task).toMatchObject({ id: urgent, status: "in_progress" });
    expect(claimed.leaseExpiresAt).toBe(
      new Date(T0 + 15 * 60_000).toISOString(),
    );

    const elsewhere = await insertTask(t, world, {}, world.projectA2);
    await expectCode(
      agent.mutation(api.agentTasks.claim, { taskId: elsewhere }),
      "FORBIDDEN",
    );
    await expectCode(
      as(t, world.a.member).mutation(api.agentTasks.claim, {
        projectId: world.projectA,
        taskId: elsewhere,
      }),
      "INVALID_ARGUMENT",
    );
  });
});

describe("agentTasks.update", () => {
  test("a note goes to the task's one thread; every update renews the lease", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const taskId = await create(t, world, { title: "Work" });
    await agent.mutation(api.agentTasks.claim, { taskId, leaseMs: 60_000 });
    vi.setSystemTime(T0 + 30_000);
    const first = await agent.mutation(api.agentTasks.update, {
      taskId,
      note: "Halfway",
      leaseMs: 120_000,
    });
    expect(first.leaseRenewed).toBe(true);
    expect(first.task.lease?.expiresAt).toBe(
      new Date(T0 + 30_000 + 120_000).toISOString(),
    );
    const second = await agent.mutation(api.agentTasks.update, {
      taskId,
      note: "Done soon",
      branch: "feat/work",
      pullRequestUrl: "https://example.com/pr/7",
    });
    expect(second.threadId).toBe(first.threadId);
    const messages = await agent.query(api.agentThreads.read, { taskId });
    expect(messages.messages.map((m) => m.body)).toEqual([
      "Halfway",
      "Done soon",
    ]);
    expect(await mustRead(t, "tasks", taskId)).toMatchObject({
      branch: "feat/work",
      pullRequestUrl: "https://example.com/pr/7",
    });

    const done = await agent.mutation(api.agentTasks.update, {
      taskId,
      status: "done",
    });
    expect(done).toMatchObject({ leaseRenewed: false });
    expect(done.task.lease).toBeUndefined();
    await expectCode(
      agent.mutation(api.agentTasks.update, { taskId, status: "in_review" }),
      "LEASE_LOST",
    );
    await expectCode(
      agent.mutation(api.agentTasks.update, { taskId, status: "blocked" }),
      "ILLEGAL_TRANSITION",
    );
  });

  test("lease lost: reclaimed after expiry, or taken by another agent", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const [rival] = await addAgents(t, world, ["rival"]);
    const reclaimed = await create(t, world, { title: "Reclaimed" });
    const taken = await create(t, world, { title: "Taken" });
    await agent.mutation(api.agentTasks.claim, {
      taskId: reclaimed,
      leaseMs: 10_000,
    });
    await agent.mutation(api.agentTasks.claim, {
      taskId: taken,
      leaseMs: 10_000,
    });
    vi.setSystemTime(T0 + 11_000);
    // The rival takes over the lapsed lease before the cron has run.
    await as(t, rival!).mutation(api.agentTasks.claim, { taskId: taken });
    await t.mutation(internal.leases.reclaimExpired, {});

    await expectCode(
      agent.mutation(api.agentTasks.update, {
        taskId: taken,
        note: "still here",
      }),
      "LEASE_LOST",
    );
    await expectCode(
      agent.mutation(api.agentTasks.update, {
        taskId: reclaimed,
        status: "in_review",
      }),
      "LEASE_LOST",
    );
    // A person may always step in on someone else's leased work.
    const byPerson = await as(t, world.a.member).mutation(
      api.agentTasks.update,
      {
        taskId: taken,
        status: "blocked",
        note: "Waiting for the API",
      },
    );
    expect(byPerson.task).toMatchObject({ status: "blocked" });
    expect(byPerson.task.lease).toBeUndefined();
  });
});

describe("agentTasks.create", () => {
  test("subtasks stay in the project; dependencies make a task wait", async () => {
    const { t, world } = await freshWorld();
    const parent = await create(t, world, { title: "Epic" });
    const child = await as(t, world.agent).mutation(api.agentTasks.create, {
      title: "Piece",
      parentId: parent,
      dependsOn: [parent],
    });
    expect(child).toMatchObject({
      parentId: parent,
      ready: false,
      key: "AA-2",
    });
    const foreign = await insertTask(t, world, {}, world.projectA2);
    await expectCode(
      as(t, world.a.member).mutation(api.agentTasks.create, {
        projectId: world.projectA,
        title: "Orphan",
        parentId: foreign,
      }),
      "INVALID_ARGUMENT",
    );
  });
});
