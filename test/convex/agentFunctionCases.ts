/**
 * permissions.test.ts cases for the functions behind the MCP tools
 * (agentContext, agentTasks, agentThreads, updates; approvals, rules, usage
 * and budgets are in agentPolicyCases.ts). Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import { AGENT_POLICY_CASES } from "./agentPolicyCases";
import {
  badType,
  defineCase,
  idOf,
  insertAuditEvent,
  insertLeasedTask,
  insertMessage,
  insertTask,
  insertThread,
  semantic,
  type PublicCase,
} from "./publicFunctionCases";
import { mustRead } from "./world";

const contextCases: PublicCase[] = [
  defineCase(api.agentContext.get, {
    permission: "org:read",
    min: "viewer",
    setup: (_t, world) => ({ projectId: world.projectA }),
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (context, { caller }) => {
      expect(context.me.id).toBe(idOf(caller));
      expect(context.project.key).toBe("AA");
      expect(context.org.name).toBe("Org A");
    },
  }),
];

const taskCases: PublicCase[] = [
  defineCase(api.agentTasks.list, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertTask(t, world);
      return { projectId: world.projectA, status: "todo" as const };
    },
    invalid: (_world, args) => badType({ ...args, status: "doing" }),
    check: (result) => {
      expect(result.tasks.map((task) => task.title)).toEqual(["Seed task"]);
      expect(result.hasMore).toBe(false);
    },
  }),
  defineCase(api.agentTasks.get, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => ({ taskId: await insertTask(t, world) }),
    invalid: (world) => badType({ taskId: world.projectA }),
    check: (task, { args }) => {
      expect(task.id).toBe(args.taskId);
      expect(task.key).toBe("AA-1");
    },
  }),
  defineCase(api.agentTasks.claim, {
    permission: "tasks:claim",
    min: "member",
    setup: async (t, world) => ({
      projectId: world.projectA,
      taskId: await insertTask(t, world),
    }),
    invalid: (_world, args) => semantic({ ...args, leaseMs: 5 }),
    check: (claimed, { caller }) => {
      expect(claimed.task.status).toBe("in_progress");
      expect(claimed.task.lease?.holderId).toBe(idOf(caller));
      expect(claimed.task.lease?.mine).toBe(true);
    },
  }),
  defineCase(api.agentTasks.update, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world, caller) => ({
      taskId: await insertLeasedTask(t, world, caller),
      status: "in_review" as const,
      note: "Ready for review",
      branch: "feature/x",
    }),
    invalid: (_world, args) => semantic({ ...args, note: "  " }),
    check: async (result, { t }) => {
      expect(result.task.status).toBe("in_review");
      expect(result.task.branch).toBe("feature/x");
      expect(result.leaseRenewed).toBe(true);
      const message = await mustRead(t, "messages", result.messageId!);
      expect(message.body).toBe("Ready for review");
    },
  }),
  defineCase(api.agentTasks.create, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => ({
      projectId: world.projectA,
      title: "Subtask",
      parentId: await insertTask(t, world),
    }),
    invalid: (_world, args) => semantic({ ...args, title: "  " }),
    check: async (task, { args, caller, t }) => {
      expect(task.parentId).toBe(args.parentId);
      expect(task.title).toBe("Subtask");
      expect(task.ready).toBe(true);
      expect((await mustRead(t, "tasks", task.id)).createdBy).toBe(
        idOf(caller),
      );
    },
  }),
];

const threadCases: PublicCase[] = [
  defineCase(api.agentThreads.post, {
    permission: "threads:post",
    min: "member",
    setup: async (t, world) => ({
      projectId: world.projectA,
      taskId: await insertTask(t, world),
      body: "Starting on it",
    }),
    invalid: (_world, args) => semantic({ ...args, body: " " }),
    check: async (posted, { t, args, caller }) => {
      const thread = await mustRead(t, "threads", posted.threadId);
      expect(thread.taskId).toBe(args.taskId);
      const message = await mustRead(t, "messages", posted.messageId);
      expect(message.authorId).toBe(idOf(caller));
      expect(posted.cursor).toBe(message._creationTime);
    },
  }),
  defineCase(api.agentThreads.read, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => {
      const threadId = await insertThread(t, world);
      await insertMessage(t, world, threadId);
      return { projectId: world.projectA, threadId };
    },
    invalid: (_world, args) => badType({ ...args, after: "0" }),
    check: (result) => {
      expect(result.messages.map((m) => [m.author, m.body])).toEqual([
        ["a-owner", "Seed message"],
      ]);
    },
  }),
  defineCase(api.updates.since, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world, caller) => {
      const taskId = await insertTask(t, world, { assigneeId: idOf(caller) });
      await insertAuditEvent(t, world, { entity: "task", entityId: taskId });
      return { projectId: world.projectA, cursor: 0 };
    },
    invalid: (_world, args) => badType({ ...args, cursor: "0" }),
    check: (result) => {
      expect(result.changes.map((change) => change.kind)).toEqual(["task"]);
      expect(result.cursor).toBeGreaterThan(0);
    },
  }),
];

export const AGENT_TOOL_CASES: readonly PublicCase[] = [
  ...contextCases,
  ...taskCases,
  ...threadCases,
  ...AGENT_POLICY_CASES,
];
