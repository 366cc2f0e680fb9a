/**
 * Every tool's happy path, through the MCP protocol (SDK Client over
 * InMemoryTransport) against a real local backend, with the control plane's
 * state checked afterwards through the owner's own client.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { TaskView } from "../../convex/model/views";
import { callOk, useAgentWorld } from "./fixture";

const env = useAgentWorld("builder");

const create = async (args: Record<string, unknown>) =>
  await callOk<TaskView>(env.mcp.client, "create_task", args);

describe("tools", () => {
  test("get_context says who the agent is and where it works", async () => {
    const context = await callOk<{
      me: { kind: string; id: string; name: string; scopes: string[] };
      project: { id: string; key: string };
      org: { id: string };
      currentTasks: unknown[];
      budgets: unknown[];
    }>(env.mcp.client, "get_context");
    expect(context.me).toMatchObject({
      kind: "agent",
      id: env.agent.agentId,
      name: "builder",
    });
    expect(context.me.scopes).toContain("tasks:claim");
    expect(context.project).toMatchObject({
      id: env.world.projectId,
      key: env.world.projectKey,
    });
    expect(context.org.id).toBe(env.world.orgId);
    expect(context.currentTasks).toEqual([]);
  });

  test("create_task and list_tasks: subtasks, dependencies, filters", async () => {
    const parent = await create({ title: "Parent", priority: "low" });
    const blocked = await create({ title: "Blocked", dependsOn: [parent.id] });
    const later = await create({ title: "Later", status: "backlog" });
    const child = await create({ title: "Child", parentId: parent.id });
    expect(parent.key).toMatch(new RegExp(`^${env.world.projectKey}-\\d+$`));
    expect(blocked).toMatchObject({ ready: false, openDependencies: 1 });
    expect(child).toMatchObject({ parentId: parent.id, ready: true });

    const ready = await callOk<{ tasks: TaskView[] }>(
      env.mcp.client,
      "list_tasks",
      {
        readyOnly: true,
      },
    );
    const readyIds = ready.tasks.map((task) => task.id);
    expect(readyIds).toEqual(expect.arrayContaining([parent.id, child.id]));
    expect(readyIds).not.toContain(blocked.id);
    expect(readyIds).not.toContain(later.id);

    const backlog = await callOk<{ tasks: TaskView[] }>(
      env.mcp.client,
      "list_tasks",
      {
        status: "backlog",
      },
    );
    expect(backlog.tasks.map((task) => task.id)).toContain(later.id);

    const capped = await callOk<{ tasks: TaskView[]; hasMore: boolean }>(
      env.mcp.client,
      "list_tasks",
      { limit: 2 },
    );
    expect(capped.tasks).toHaveLength(2);
    expect(capped.hasMore).toBe(true);
    // Newest first: the child was created last.
    expect(capped.tasks[0]?.id).toBe(child.id);
  });

  test("claim_task takes a named task or the next ready one, under a lease", async () => {
    const named = await create({ title: "Named", priority: "low" });
    const claimed = await callOk<{ task: TaskView; leaseExpiresAt: string }>(
      env.mcp.client,
      "claim_task",
      { taskId: named.id, leaseMs: 60_000 },
    );
    expect(claimed.task).toMatchObject({
      id: named.id,
      status: "in_progress",
      assigneeId: env.agent.agentId,
      lease: { holderId: env.agent.agentId, mine: true },
    });
    expect(Date.parse(claimed.leaseExpiresAt)).toBeGreaterThan(Date.now());

    const urgent = await create({ title: "Urgent", priority: "urgent" });
    const next = await callOk<{ task: TaskView }>(env.mcp.client, "claim_task");
    expect(next.task.id).toBe(urgent.id);

    const mine = await callOk<{ tasks: TaskView[] }>(
      env.mcp.client,
      "list_tasks",
      {
        assignee: "me",
        status: "in_progress",
      },
    );
    expect(mine.tasks.map((task) => task.id)).toEqual(
      expect.arrayContaining([named.id, urgent.id]),
    );
    const stored = await env.world.owner.query(api.tasks.get, {
      taskId: urgent.id,
    });
    expect(stored.lease?.holderId).toBe(env.agent.agentId);
  });

  test("update_task: note to the thread, branch and PR, review, done; renews the lease", async () => {
    const task = await create({ title: "Feature" });
    const claimed = await callOk<{ task: TaskView }>(
      env.mcp.client,
      "claim_task",
      {
        taskId: task.id,
        leaseMs: 30_000,
      },
    );
    const updated = await callOk<{
      task: TaskView;
      leaseRenewed: boolean;
      threadId: Id<"threads">;
      messageId: Id<"messages">;
    }>(env.mcp.client, "update_task", {
      taskId: task.id,
      status: "in_review",
      note: "Tests pass; ready for review.",
      branch: "feature/thing",
      pullRequestUrl: "https://example.com/pr/1",
      leaseMs: 600_000,
    });
    expect(updated.task).toMatchObject({
      status: "in_review",
      branch: "feature/thing",
      pullRequestUrl: "https://example.com/pr/1",
    });
    expect(updated.leaseRenewed).toBe(true);
    expect(Date.parse(updated.task.lease!.expiresAt)).toBeGreaterThan(
      Date.parse(claimed.task.lease!.expiresAt),
    );
    const thread = await callOk<{
      thread: { id: string };
      messages: { body: string; author: string }[];
    }>(env.mcp.client, "read_thread", { taskId: task.id });
    expect(thread.thread.id).toBe(updated.threadId);
    expect(thread.messages.map((m) => [m.author, m.body])).toEqual([
      ["builder", "Tests pass; ready for review."],
    ]);

    const done = await callOk<{ task: TaskView; leaseRenewed: boolean }>(
      env.mcp.client,
      "update_task",
      { taskId: task.id, status: "done" },
    );
    expect(done.task.status).toBe("done");
    expect(done.task.lease).toBeUndefined();
    expect(done.leaseRenewed).toBe(false);
    const stored = await env.world.owner.query(api.tasks.get, {
      taskId: task.id,
    });
    expect(stored).toMatchObject({ status: "done", branch: "feature/thing" });
  });

  test("post_message and read_thread: the general thread, read since a cursor", async () => {
    const first = await callOk<{ threadId: string; cursor: number }>(
      env.mcp.client,
      "post_message",
      { body: "Hello, team" },
    );
    const start = await callOk<{
      thread: { id: string; title: string };
      messages: { body: string }[];
      cursor: number;
    }>(env.mcp.client, "read_thread");
    expect(start.thread).toMatchObject({
      id: first.threadId,
      title: "General",
    });
    expect(start.messages.at(-1)?.body).toBe("Hello, team");
    expect(start.cursor).toBe(first.cursor);

    const general = await env.world.owner.query(api.threads.get, {
      threadId: first.threadId as Id<"threads">,
    });
    await env.world.owner.mutation(api.messages.post, {
      threadId: general._id,
      body: "Welcome!",
    });
    const since = await callOk<{
      messages: { body: string; author: string }[];
    }>(env.mcp.client, "read_thread", {
      threadId: first.threadId,
      after: start.cursor,
    });
    expect(since.messages.map((m) => m.body)).toEqual(["Welcome!"]);
  });

  test("report_usage counts against budgets that get_context reports", async () => {
    await env.world.owner.mutation(api.budgets.set, {
      orgId: env.world.orgId,
      scope: "project",
      projectId: env.world.projectId,
      limitTokens: 10_000,
      limitCostUsd: 5,
    });
    const task = await create({ title: "Costly" });
    const reported = await callOk<{
      taskId: string;
      budgets: { remainingTokens: number; remainingCostUsd: number }[];
    }>(env.mcp.client, "report_usage", {
      taskId: task.id,
      inputTokens: 1000,
      outputTokens: 500,
      costUsd: 0.5,
      model: "claude-test",
    });
    expect(reported.taskId).toBe(task.id);
    expect(reported.budgets).toEqual([
      expect.objectContaining({ remainingTokens: 8500, remainingCostUsd: 4.5 }),
    ]);
    const context = await callOk<{ budgets: { remainingTokens: number }[] }>(
      env.mcp.client,
      "get_context",
    );
    expect(context.budgets.map((b) => b.remainingTokens)).toEqual([8500]);
  });

  test("request_approval without waiting leaves a pending request people see", async () => {
    const asked = await callOk<{ id: Id<"approvals">; status: string }>(
      env.mcp.client,
      "request_approval",
      { summary: "Deploy to staging", kind: "deploy" },
    );
    expect(asked.status).toBe("pending");
    const inbox = await env.world.owner.query(api.approvals.listPending, {
      projectId: env.world.projectId,
    });
    expect(inbox.approvals.map((a) => a.summary)).toContain(
      "Deploy to staging",
    );
    const decided = await env.world.owner.mutation(api.approvals.resolve, {
      approvalId: asked.id,
      decision: "approve",
    });
    expect(decided.status).toBe("approved");
  });

  test("request_sandbox and get_sandbox: an agent asks for its task's sandbox and follows it", async () => {
    const task = await create({ title: "Sandboxed work" });
    await callOk(env.mcp.client, "claim_task", { taskId: task.id });
    const sandboxId = await callOk<string>(env.mcp.client, "request_sandbox", {
      taskId: task.id,
      baseBranch: "main",
    });
    const sandbox = await callOk<{
      _id: string;
      status: string;
      branch: string;
      agentId: string;
      stages: { stage: string; state: string }[];
    }>(env.mcp.client, "get_sandbox", { taskId: task.id });
    expect(sandbox).toMatchObject({
      _id: sandboxId,
      status: "requested",
      branch: `switchboard/${task.key}-sandboxed-work`,
      agentId: env.agent.agentId,
    });
    expect(sandbox.stages.map((stage) => stage.state)).toEqual(
      Array(6).fill("pending"),
    );
    // The people's side sees the same request, waiting for a runner.
    const live = await env.world.owner.query(api.sandboxes.listLive, {
      projectId: env.world.projectId,
    });
    expect(live.map((row) => row._id)).toContain(sandboxId);
  });
});
