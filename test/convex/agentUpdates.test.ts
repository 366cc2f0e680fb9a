/**
 * Threads as agents read them (convex/agentThreads.ts) and the "what changed
 * for me" feed wait_for_updates watches (convex/updates.ts).
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { UPDATES } from "../../convex/model/updates";
import { expectCode } from "./expectCode";
import { insertTask, insertThread } from "./publicFunctionCases";
import { as, freshWorld, useFakeClock } from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

describe("agentThreads", () => {
  test("the general thread is made once; reads give the latest, or what came after a cursor", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    expect(await agent.query(api.agentThreads.read, {})).toEqual({
      thread: null,
      messages: [],
      hasMore: false,
      cursor: 0,
    });
    const posts = [];
    for (const body of ["one", "two", "three"]) {
      posts.push(await agent.mutation(api.agentThreads.post, { body }));
    }
    expect(new Set(posts.map((post) => post.threadId)).size).toBe(1);
    const latest = await agent.query(api.agentThreads.read, { limit: 2 });
    expect(latest.thread?.title).toBe("General");
    expect(latest.messages.map((m) => m.body)).toEqual(["two", "three"]);
    expect(latest.hasMore).toBe(true);
    expect(latest.messages[0]).toMatchObject({
      author: "agent-a",
      authorKind: "agent",
    });
    const after = await agent.query(api.agentThreads.read, {
      after: posts[0]!.cursor,
    });
    expect(after.messages.map((m) => m.body)).toEqual(["two", "three"]);
    expect(after.cursor).toBe(posts[2]!.cursor);

    await expectCode(
      agent.mutation(api.agentThreads.post, {
        threadId: posts[0]!.threadId,
        taskId: await insertTask(t, world),
        body: "both",
      }),
      "INVALID_ARGUMENT",
    );
  });
});

describe("updates.since", () => {
  test("starts from now, then reports what people did to the agent's work, not its own", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const owner = as(t, world.a.owner);
    const mine = (
      await agent.mutation(api.agentTasks.create, { title: "Mine" })
    ).id;
    await agent.mutation(api.agentTasks.claim, { taskId: mine });
    const notMine = await insertTask(t, world, { title: "Not mine" });
    const start = await agent.query(api.updates.since, {});
    expect(start.changes).toEqual([]);

    const myThread = await owner.mutation(api.threads.ensureForTask, {
      taskId: mine,
    });
    const otherThread = await owner.mutation(api.threads.ensureForTask, {
      taskId: notMine,
    });
    const general = await insertThread(t, world);
    await owner.mutation(api.messages.post, {
      threadId: myThread,
      body: "For you",
    });
    await owner.mutation(api.messages.post, {
      threadId: otherThread,
      body: "Not for you",
    });
    await owner.mutation(api.messages.post, {
      threadId: general,
      body: "Everyone",
    });
    await agent.mutation(api.agentThreads.post, {
      taskId: mine,
      body: "My own words",
    });
    const approval = await agent.mutation(api.agentApprovals.request, {
      summary: "Ship it",
    });
    await owner.mutation(api.approvals.resolve, {
      approvalId: approval.id,
      decision: "approve",
    });
    await owner.mutation(api.tasks.move, {
      taskId: notMine,
      status: "blocked",
    });

    const seen = await agent.query(api.updates.since, { cursor: start.cursor });
    expect(seen.changes.map((c) => [c.kind, c.summary])).toEqual([
      ["message", 'a-owner wrote in "AA-1: Mine": For you'],
      ["message", 'a-owner wrote in "Seed thread": Everyone'],
      ["approval", 'Your request "Ship it" is approved (by a-owner)'],
    ]);
    expect(seen.changes[2]?.taskId).toBe(mine);
    expect(seen.hasMore).toBe(false);
    const again = await agent.query(api.updates.since, { cursor: seen.cursor });
    expect(again.changes).toEqual([]);
  });

  test("a lapsed lease shows up as losing the task", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const taskId = (
      await agent.mutation(api.agentTasks.create, { title: "Slow" })
    ).id;
    await agent.mutation(api.agentTasks.claim, { taskId, leaseMs: 10_000 });
    const { cursor } = await agent.query(api.updates.since, {});
    vi.setSystemTime(T0 + 11_000);
    await t.mutation(internal.leases.reclaimExpired, {});
    const seen = await agent.query(api.updates.since, { cursor });
    expect(seen.changes).toHaveLength(1);
    expect(seen.changes[0]?.summary).toMatch(
      /^AA-1 "Slow" task\.lease_expired by Switchboard \(.*status: in_progress -> todo.*\); now todo$/,
    );
  });

  test("pages through a burst: at most maxChanges per answer, then hasMore", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const owner = as(t, world.a.owner);
    const general = await insertThread(t, world);
    const { cursor } = await agent.query(api.updates.since, {});
    for (let i = 0; i < UPDATES.maxChanges + 3; i++) {
      await owner.mutation(api.messages.post, {
        threadId: general,
        body: `m${i}`,
      });
    }
    const first = await agent.query(api.updates.since, { cursor });
    expect(first.changes).toHaveLength(UPDATES.maxChanges);
    expect(first.hasMore).toBe(true);
    const rest = await agent.query(api.updates.since, { cursor: first.cursor });
    expect(rest.changes.map((c) => c.summary.split(": ").at(-1))).toEqual([
      `m${UPDATES.maxChanges}`,
      `m${UPDATES.maxChanges + 1}`,
      `m${UPDATES.maxChanges + 2}`,
    ]);
    expect(rest.hasMore).toBe(false);
  });
});
