/**
 * The tools that block: wait_for_updates (a live subscription, woken by
 * changes people make) and request_approval with waitSeconds, checked
 * against what the control plane recorded. approval_prompt has its own file.
 */
import { describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { TaskView } from "../../convex/model/views";
import { sleep, waitFor } from "../integration/local-backend/backendProcess";
import { callOk, useAgentWorld } from "./fixture";

const env = useAgentWorld("waiter");

type Updates = {
  changes: { kind: string; summary: string; taskId?: string }[];
  cursor: number;
  hasMore: boolean;
  timedOut: boolean;
};

const waitForUpdates = (args: Record<string, unknown>) =>
  callOk<Updates>(env.mcp.client, "wait_for_updates", args);

async function claimNew(title: string): Promise<TaskView> {
  const task = await callOk<TaskView>(env.mcp.client, "create_task", { title });
  return (
    await callOk<{ task: TaskView }>(env.mcp.client, "claim_task", {
      taskId: task.id,
    })
  ).task;
}

/** The pending approvals the agent asked for, newest first. */
async function pendingApprovals() {
  const { approvals } = await env.world.owner.query(api.approvals.listPending, {
    projectId: env.world.projectId,
  });
  return approvals.filter(
    (approval) => approval.requesterId === env.agent.agentId,
  );
}

describe("wait_for_updates", () => {
  test("wakes on a person's message in the agent's task thread, by subscription", async () => {
    const task = await claimNew("Watched");
    const threadId = await env.world.owner.mutation(api.threads.ensureForTask, {
      taskId: task.id,
    });
    const query = vi.spyOn(env.mcp.mcp.connection, "query");
    const watch = vi.spyOn(env.mcp.mcp.connection, "watch");
    const started = Date.now();
    const waiting = waitForUpdates({ timeoutSeconds: 20 });
    await sleep(300);
    await env.world.owner.mutation(api.messages.post, {
      threadId,
      body: "Please also update the docs.",
    });
    const updates = await waiting;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(updates.timedOut).toBe(false);
    expect(updates.changes).toHaveLength(1);
    expect(updates.changes[0]).toMatchObject({
      kind: "message",
      taskId: task.id,
    });
    expect(updates.changes[0]?.summary).toMatch(
      /wrote in .*Please also update the docs/,
    );
    // One read for "now", one subscription: no polling.
    expect(query).toHaveBeenCalledTimes(1);
    expect(watch).toHaveBeenCalledTimes(1);
    query.mockRestore();
    watch.mockRestore();

    // From that cursor on: a person moves the task; the agent's own post is not news.
    await callOk(env.mcp.client, "post_message", {
      taskId: task.id,
      body: "On it",
    });
    const next = waitForUpdates({ cursor: updates.cursor, timeoutSeconds: 20 });
    await env.world.owner.mutation(api.tasks.move, {
      taskId: task.id,
      status: "blocked",
    });
    const moved = await next;
    expect(moved.changes).toHaveLength(1);
    expect(moved.changes[0]).toMatchObject({ kind: "task", taskId: task.id });
    expect(moved.changes[0]?.summary).toMatch(
      /task\.move .*status: in_progress -> blocked/,
    );
  });

  test("reports losing a task and decisions on the agent's requests", async () => {
    const task = await claimNew("Taken away");
    const { cursor } = await waitForUpdates({ timeoutSeconds: 0 });
    await env.world.owner.mutation(api.tasks.assign, {
      taskId: task.id,
      assigneeId: undefined,
    });
    const lost = await waitForUpdates({ cursor, timeoutSeconds: 20 });
    expect(lost.changes[0]).toMatchObject({ kind: "task", taskId: task.id });
    expect(lost.changes[0]?.summary).toMatch(/assigneeId: .* -> none/);

    const asked = await callOk<{ id: Id<"approvals"> }>(
      env.mcp.client,
      "request_approval",
      { summary: "Merge to main" },
    );
    const waiting = waitForUpdates({ cursor: lost.cursor, timeoutSeconds: 20 });
    await env.world.owner.mutation(api.approvals.resolve, {
      approvalId: asked.id,
      decision: "reject",
      reason: "Not before the release",
    });
    const decided = await waiting;
    expect(decided.changes).toHaveLength(1);
    expect(decided.changes[0]).toMatchObject({ kind: "approval" });
    expect(decided.changes[0]?.summary).toMatch(
      /"Merge to main" is rejected .*Not before the release/,
    );
  });

  test("reads past pages of the org's events that hold nothing for the agent", async () => {
    const { cursor } = await waitForUpdates({ timeoutSeconds: 0 });
    const other = await env.world.owner.mutation(api.tasks.create, {
      projectId: env.world.projectId,
      title: "Someone else's",
    });
    const otherThread = await env.world.owner.mutation(
      api.threads.ensureForTask,
      {
        taskId: other,
      },
    );
    // More than one page (UPDATES.scan = 100) of events that do not concern it.
    for (let i = 0; i < 105; i++) {
      await env.world.owner.mutation(api.messages.post, {
        threadId: otherThread,
        body: `noise ${i}`,
      });
    }
    await env.world.owner.mutation(api.tasks.update, {
      taskId: other,
      title: "x",
    });
    const posted = await callOk<{ threadId: string }>(
      env.mcp.client,
      "post_message",
      { body: "mine" },
    );
    await env.world.owner.mutation(api.messages.post, {
      threadId: posted.threadId as Id<"threads">,
      body: "For everyone",
    });
    const updates = await waitForUpdates({ cursor, timeoutSeconds: 20 });
    expect(updates.changes).toHaveLength(1);
    expect(updates.changes[0]?.summary).toMatch(
      / wrote in "General": For everyone$/,
    );
  });

  test("times out with no changes after timeoutSeconds", async () => {
    const started = Date.now();
    const quiet = await waitForUpdates({ timeoutSeconds: 1 });
    expect(quiet).toMatchObject({ changes: [], timedOut: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("request_approval", () => {
  test("waits for the decision when asked to", async () => {
    const waiting = callOk<{ status: string; decidedBy: string }>(
      env.mcp.client,
      "request_approval",
      { summary: "Deploy v2", kind: "deploy", waitSeconds: 20 },
    );
    const [pending] = await waitFor(async () => {
      const found = await pendingApprovals();
      return found.some((a) => a.summary === "Deploy v2") ? found : null;
    }, 10_000);
    await env.world.owner.mutation(api.approvals.resolve, {
      approvalId: pending!._id,
      decision: "approve",
    });
    expect(await waiting).toMatchObject({ status: "approved" });
  });

  test("returns the pending request when nobody decides in time", async () => {
    const answer = await callOk<{ status: string; note: string }>(
      env.mcp.client,
      "request_approval",
      { summary: "Nobody looks", waitSeconds: 1 },
    );
    expect(answer.status).toBe("pending");
    expect(answer.note).toMatch(/No decision yet/);
  });
});
