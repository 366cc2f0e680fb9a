/**
 * The real Claude Code CLI working through switchboard-mcp (the built server, as users
 * configure it) against a real local backend, driven by the scripted model: the agent
 * loop of issue 4's proof. Every step's input comes from what the model was told by the
 * step before, and the control plane's state is checked afterwards through the owner's
 * own client, not only the transcript. The permission prompt runs are in
 * switchboard-permissions.test.ts.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { ApprovalView, TaskView } from "../../../convex/model/views";
import { startMcpWorld, type McpWorld } from "../../mcp/fixture";
import {
  describeRun,
  runClaudeCode,
  type ClaudeCodeRun,
} from "../../support/claudeCode";
import {
  callTool,
  findTool,
  reply,
  say,
  ScriptedModel,
  toolResults,
  type Turn,
} from "../../support/scriptedModel";
import {
  alongside,
  auditTrail,
  ownerId,
  pendingApprovalOf,
  receivedAt,
  switchboardServer,
  tool,
  toolJson,
} from "./switchboardSupport";

type Context = {
  me: { kind: string; id: string; name: string; scopes: string[] };
  org: { id: string };
  project: { id: string; key: string };
  currentTasks: TaskView[];
};

const AGENT_NAME = "claude-builder";
const STARTED = "Starting: route, handler and a test for /health.";
const DEPLOY = "Deploy the /health endpoint to staging";
const REVIEW_NOTE = "Deployed to staging; ready for review.";
const USED = [
  "get_context",
  "claim_task",
  "post_message",
  "request_approval",
  "update_task",
];

let world: McpWorld;
let model: ScriptedModel | undefined;
let run: ClaudeCodeRun | undefined;

beforeAll(async () => {
  world = await startMcpWorld();
});
afterEach(async () => {
  await run?.dispose();
  await model?.close();
  run = undefined;
  model = undefined;
});
afterAll(async () => {
  await world?.dispose();
});

/**
 * The agent's day: who am I, take the next ready task, say so on its thread, ask for a
 * deploy approval and wait for it, then hand the task to review. Ids flow from one tool
 * result into the next call, as a real model's would.
 */
function agentScript(): Turn[] {
  let taskId = "";
  return [
    (request) => {
      for (const name of USED) {
        if (findTool(request, tool(name)) === undefined) {
          throw new Error(`the model is not offered ${tool(name)}`);
        }
      }
      return reply(
        say("Checking who I am first."),
        callTool(tool("get_context"), {}, "toolu_context"),
      );
    },
    (request) => {
      toolJson<Context>(request, "toolu_context");
      return reply(callTool(tool("claim_task"), {}, "toolu_claim"));
    },
    (request) => {
      taskId = toolJson<{ task: TaskView }>(request, "toolu_claim").task.id;
      return reply(
        callTool(tool("post_message"), { taskId, body: STARTED }, "toolu_post"),
      );
    },
    (request) => {
      toolJson(request, "toolu_post");
      return reply(
        callTool(
          tool("request_approval"),
          { taskId, kind: "deploy", summary: DEPLOY, waitSeconds: 30 },
          "toolu_approval",
        ),
      );
    },
    (request) => {
      const decision = toolJson<ApprovalView>(request, "toolu_approval");
      if (decision.status !== "approved") {
        throw new Error(`expected an approval, got ${decision.status}`);
      }
      return reply(
        callTool(
          tool("update_task"),
          { taskId, status: "in_review", note: REVIEW_NOTE },
          "toolu_review",
        ),
      );
    },
    (request) => {
      const { task } = toolJson<{ task: TaskView }>(request, "toolu_review");
      return `${task.key} is in review.`;
    },
  ];
}

test("an agent gets its context, claims a task, posts, waits for a person's approval and hands off to review", async () => {
  const agent = await world.newAgent(AGENT_NAME);
  const owner = await ownerId(world);
  const taskId = await world.owner.mutation(api.tasks.create, {
    projectId: world.projectId,
    title: "Add a /health endpoint",
    priority: "high",
  });
  const { number } = await world.owner.query(api.tasks.get, { taskId });
  const key = `${world.projectKey}-${number}`;
  model = await ScriptedModel.start(agentScript());
  const baseUrl = model.baseUrl;

  // The test is the second client: the owner approves while Claude Code is blocked in
  // request_approval, which only returns once the decision reaches it.
  const { run: done, decision } = await alongside(
    runClaudeCode({
      prompt: "Pick up the next task and get it to review.",
      baseUrl,
      mcpServers: { switchboard: switchboardServer(world, agent.secret) },
      allowedTools: USED.map(tool),
      timeoutMs: 90_000,
    }).then((started) => (run = started)),
    async (runOver) => {
      const pending = await pendingApprovalOf(world, agent.agentId, runOver);
      expect(pending).toMatchObject({
        taskId,
        kind: "deploy",
        summary: DEPLOY,
        status: "pending",
      });
      return await world.owner.mutation(api.approvals.resolve, {
        approvalId: pending._id,
        decision: "approve",
      });
    },
  );

  expect(done.mcpStatus, describeRun(done)).toEqual({
    switchboard: "connected",
  });
  expect(done.exitCode, describeRun(done)).toBe(0);
  model.assertDone();
  expect(done.result).toMatchObject({
    is_error: false,
    result: `${key} is in review.`,
  });

  // What the model was told, step by step.
  const context = JSON.parse(
    receivedAt(model, 1, "toolu_context")?.text ?? "null",
  ) as Context;
  expect(context.me).toMatchObject({
    kind: "agent",
    id: agent.agentId,
    name: AGENT_NAME,
  });
  expect(context.project).toEqual(
    expect.objectContaining({ id: world.projectId, key: world.projectKey }),
  );
  expect(context.org.id).toBe(world.orgId);
  const claimed = JSON.parse(
    receivedAt(model, 2, "toolu_claim")?.text ?? "null",
  ) as { task: TaskView };
  expect(claimed.task).toMatchObject({
    id: taskId,
    key,
    status: "in_progress",
    assigneeId: agent.agentId,
    lease: { holderId: agent.agentId, mine: true },
  });
  const answered = JSON.parse(
    receivedAt(model, 4, "toolu_approval")?.text ?? "null",
  ) as ApprovalView;
  expect(answered).toMatchObject({
    id: decision._id,
    status: "approved",
    decidedBy: owner,
    taskId,
  });
  const last = model.turns().at(-1)?.body;
  const results = last ? toolResults(last) : [];
  expect(results.map((r) => [r.toolUseId, r.isError])).toEqual([
    ["toolu_context", false],
    ["toolu_claim", false],
    ["toolu_post", false],
    ["toolu_approval", false],
    ["toolu_review", false],
  ]);

  // The control plane afterwards.
  const task = await world.owner.query(api.tasks.get, { taskId });
  expect(task).toMatchObject({
    status: "in_review",
    assigneeId: agent.agentId,
    lease: { holderId: agent.agentId },
  });
  const thread = await world.owner.query(api.threads.forTask, { taskId });
  expect(thread).not.toBeNull();
  const { page } = await world.owner.query(api.messages.list, {
    threadId: thread!._id,
    paginationOpts: { numItems: 20, cursor: null },
  });
  expect(page.reverse().map((m) => [m.authorId, m.kind, m.body])).toEqual([
    [agent.agentId, "text", STARTED],
    [agent.agentId, "text", REVIEW_NOTE],
  ]);
  const approvals = await world.owner.query(api.approvals.listForTask, {
    taskId,
  });
  expect(approvals).toEqual([
    expect.objectContaining({
      _id: decision._id,
      requesterId: agent.agentId,
      kind: "deploy",
      summary: DEPLOY,
      status: "approved",
      resolverId: owner,
    }),
  ]);
  expect(await auditTrail(world, "approval", decision._id)).toEqual([
    ["approval.request", agent.agentId],
    ["approval.approved", owner],
  ]);
  // Who changed the task, in order: the owner created it, the agent did the rest.
  expect(await auditTrail(world, "task", taskId)).toEqual([
    ["task.create", owner],
    ["task.claim", agent.agentId],
    ["task.move", agent.agentId],
    ["task.renew_lease", agent.agentId],
  ]);
});
