/**
 * permissions.test.ts cases for approvals asked by agents, approval rules,
 * usage reports and budgets. Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  badType,
  defineCase,
  idOf,
  insertApproval,
  insertTask,
  semantic,
  type PublicCase,
} from "./publicFunctionCases";
import { mustRead, type Backend, type World } from "./world";

export async function insertRule(
  t: Backend,
  world: World,
  fields: { toolPattern?: string; effect?: "allow" | "deny" } = {},
): Promise<Id<"approvalRules">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("approvalRules", {
        orgId: world.orgA,
        agentId: world.agent.agentId,
        toolPattern: fields.toolPattern ?? "Read",
        effect: fields.effect ?? "allow",
        createdBy: world.a.owner.userId,
        createdAt: Date.now(),
      }),
  );
}

export async function insertBudget(
  t: Backend,
  world: World,
  fields: { limitTokens?: number; limitCostUsd?: number } = {},
): Promise<Id<"budgets">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("budgets", {
        orgId: world.orgA,
        scope: "project",
        targetId: world.projectA,
        usedTokens: 0,
        usedCostUsd: 0,
        updatedBy: world.a.owner.userId,
        updatedAt: Date.now(),
        ...fields,
      }),
  );
}

const approvalCases: PublicCase[] = [
  defineCase(api.agentApprovals.request, {
    permission: "approvals:request",
    min: "member",
    setup: (_t, world) => ({ projectId: world.projectA, summary: "Deploy" }),
    invalid: (_world, args) => semantic({ ...args, summary: "" }),
    check: async (approval, { t, caller }) => {
      expect(approval.status).toBe("pending");
      const doc = await mustRead(t, "approvals", approval.id);
      expect(doc.requesterId).toBe(idOf(caller));
    },
  }),
  defineCase(api.agentApprovals.prompt, {
    permission: "approvals:request",
    min: "member",
    setup: (_t, world) => ({
      projectId: world.projectA,
      tool_name: "Bash",
      input: { command: "ls -la" },
      tool_use_id: "toolu_1",
    }),
    invalid: (_world, args) => semantic({ ...args, tool_name: " " }),
    check: async (answer, { t }) => {
      expect(answer.decision).toBe("pending");
      const doc = await mustRead(t, "approvals", answer.approvalId);
      expect(doc.kind).toBe("tool_use");
      expect(doc.summary).toBe("Bash: ls -la");
    },
  }),
  defineCase(api.agentApprovals.get, {
    permission: "approvals:request",
    min: "member",
    setup: async (t, world, caller) => ({
      approvalId: await insertApproval(t, world, caller),
    }),
    invalid: (world) => badType({ approvalId: world.projectA }),
    check: (approval, { args }) => {
      expect(approval.id).toBe(args.approvalId);
      expect(approval.status).toBe("pending");
    },
  }),
  defineCase(api.approvalRules.add, {
    permission: "agents:manage",
    min: "admin",
    setup: (_t, world) => ({
      agentId: world.agent.agentId,
      toolPattern: "Bash",
      inputPattern: "npm test*",
      effect: "allow" as const,
    }),
    invalid: (_world, args) => semantic({ ...args, toolPattern: " " }),
    check: async (ruleId, { t, world }) => {
      const rule = await mustRead(t, "approvalRules", ruleId);
      expect(rule).toMatchObject({
        agentId: world.agent.agentId,
        inputPattern: "npm test*",
      });
    },
  }),
  defineCase(api.approvalRules.list, {
    permission: "agents:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertRule(t, world);
      return { agentId: world.agent.agentId };
    },
    invalid: (world) => badType({ agentId: world.projectA }),
    check: (rules) => {
      expect(rules.map((rule) => rule.toolPattern)).toEqual(["Read"]);
    },
  }),
  defineCase(api.approvalRules.remove, {
    permission: "agents:manage",
    min: "admin",
    setup: async (t, world) => ({ ruleId: await insertRule(t, world) }),
    invalid: (world) => badType({ ruleId: world.orgA }),
    check: async (result, { t, args }) => {
      expect(result).toBeNull();
      const gone = await t.run(
        async (ctx) => await ctx.db.get("approvalRules", args.ruleId),
      );
      expect(gone).toBeNull();
    },
  }),
];

const usageCases: PublicCase[] = [
  defineCase(api.usage.report, {
    permission: "tasks:write",
    min: "member",
    setup: async (t, world) => {
      await insertBudget(t, world, { limitTokens: 1000 });
      return {
        projectId: world.projectA,
        taskId: await insertTask(t, world),
        inputTokens: 100,
        outputTokens: 50,
        costUsd: 0.25,
      };
    },
    invalid: (_world, args) => semantic({ ...args, inputTokens: -1 }),
    check: async (result, { t, caller }) => {
      expect(result.budgets.map((b) => b.remainingTokens)).toEqual([850]);
      expect(result.budgets[0]).toMatchObject({
        warned: false,
        exhausted: false,
      });
      const record = await mustRead(t, "usageRecords", result.recordId);
      expect(record.principalId).toBe(idOf(caller));
      expect(record.costUsd).toBe(0.25);
    },
  }),
  defineCase(api.budgets.set, {
    permission: "projects:manage",
    min: "admin",
    setup: (_t, world) => ({
      orgId: world.orgA,
      scope: "project" as const,
      projectId: world.projectA,
      limitTokens: 5000,
    }),
    // An org-wide envelope names no project.
    invalid: (_world, args) => semantic({ ...args, scope: "org" }),
    check: async (budgetId, { t, world }) => {
      const budget = await mustRead(t, "budgets", budgetId);
      expect(budget).toMatchObject({
        targetId: world.projectA,
        limitTokens: 5000,
        usedTokens: 0,
        period: "monthly",
      });
    },
  }),
  defineCase(api.budgets.list, {
    permission: "projects:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertBudget(t, world, { limitCostUsd: 10 });
      return { orgId: world.orgA };
    },
    invalid: (world) => badType({ orgId: world.projectA }),
    check: (budgets) => {
      expect(budgets.map((b) => b.remainingCostUsd)).toEqual([10]);
    },
  }),
];

export const AGENT_POLICY_CASES: readonly PublicCase[] = [
  ...approvalCases,
  ...usageCases,
];
