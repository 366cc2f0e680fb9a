/**
 * Permission prompts answered by approval rules or turned into requests
 * (convex/agentApprovals.ts, model/approvalPolicy.ts), and usage reported
 * against budget envelopes (convex/usage.ts, convex/budgets.ts).
 */
import { describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { expectCode } from "./expectCode";
import { insertTask } from "./publicFunctionCases";
import {
  addAgents,
  as,
  auditEvents,
  freshWorld,
  mustRead,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

async function addRule(
  t: Backend,
  world: World,
  rule: {
    toolPattern: string;
    effect: "allow" | "deny";
    inputPattern?: string;
    reason?: string;
  },
): Promise<Id<"approvalRules">> {
  return await as(t, world.a.admin).mutation(api.approvalRules.add, {
    agentId: world.agent.agentId,
    ...rule,
  });
}

describe("agentApprovals.prompt", () => {
  test("rules allow and deny by tool and input glob, deny first, and are recorded", async () => {
    const { t, world } = await freshWorld();
    await addRule(t, world, {
      toolPattern: "Bash",
      effect: "allow",
      inputPattern: "npm *",
    });
    await addRule(t, world, {
      toolPattern: "Bash",
      effect: "deny",
      inputPattern: "npm publish*",
      reason: "Publishing is for people.",
    });
    await addRule(t, world, { toolPattern: "mcp__github__*", effect: "allow" });
    const prompt = (tool_name: string, input: unknown) =>
      as(t, world.agent).mutation(api.agentApprovals.prompt, {
        tool_name,
        input,
        tool_use_id: "toolu_1",
      });

    expect(await prompt("Bash", { command: "npm test" })).toMatchObject({
      decision: "allow",
    });
    expect(
      await prompt("mcp__github__create_issue", { title: "x" }),
    ).toMatchObject({
      decision: "allow",
    });
    const denied = await prompt("Bash", {
      command: "npm publish --access public",
    });
    expect(denied).toMatchObject({
      decision: "deny",
      message: "Publishing is for people.",
    });
    const record = await mustRead(t, "approvals", denied.approvalId);
    expect(record).toMatchObject({
      status: "rejected",
      kind: "tool_use",
      resolverId: "system",
      summary: "Bash: npm publish --access public",
      ruleId: denied.ruleId,
    });
    expect(JSON.parse(record.details)).toEqual({
      tool_name: "Bash",
      input: { command: "npm publish --access public" },
      tool_use_id: "toolu_1",
    });
    const events = (await auditEvents(t)).filter(
      (event) => event.entityId === denied.approvalId,
    );
    expect(events.map((event) => [event.action, event.actor])).toEqual([
      ["approval.rule_denied", world.agent.agentId],
    ]);

    // No rule matches (another agent has none at all): a pending request.
    const pending = await prompt("Bash", { command: "git push" });
    expect(pending.decision).toBe("pending");
    const [other] = await addAgents(t, world, ["rule-less"]);
    const theirs = await as(t, other!).mutation(api.agentApprovals.prompt, {
      tool_name: "Bash",
      input: { command: "npm test" },
    });
    expect(theirs.decision).toBe("pending");
  });

  test("a pending prompt is rejected by policy when nobody decides before its deadline", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    const { approvalId } = await agent.mutation(api.agentApprovals.prompt, {
      tool_name: "Bash",
      input: { command: "make release" },
      ttlMs: 5_000,
    });
    expect(
      (await agent.query(api.agentApprovals.get, { approvalId })).status,
    ).toBe("pending");
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(
      await agent.query(api.agentApprovals.get, { approvalId }),
    ).toMatchObject({
      status: "rejected",
      decidedBy: "system",
    });
  });

  test("rules are listed and removed by admins; only the requester watches a request", async () => {
    const { t, world } = await freshWorld();
    const ruleId = await addRule(t, world, {
      toolPattern: "Read",
      effect: "allow",
    });
    const listed = await as(t, world.agent).query(api.approvalRules.list, {
      agentId: world.agent.agentId,
    });
    expect(listed.map((rule) => rule._id)).toEqual([ruleId]);
    await as(t, world.a.admin).mutation(api.approvalRules.remove, { ruleId });
    const after = await as(t, world.agent).mutation(api.agentApprovals.prompt, {
      tool_name: "Read",
      input: { file_path: "a.ts" },
    });
    expect(after.decision).toBe("pending");
    await expectCode(
      as(t, world.a.member).query(api.agentApprovals.get, {
        approvalId: after.approvalId,
      }),
      "FORBIDDEN",
    );
  });
});

describe("usage and budgets", () => {
  test("usage lands on the agent's task and every covering envelope", async () => {
    const { t, world } = await freshWorld();
    const admin = as(t, world.a.admin);
    const agent = as(t, world.agent);
    await admin.mutation(api.budgets.set, {
      orgId: world.orgA,
      scope: "org",
      limitCostUsd: 100,
    });
    await admin.mutation(api.budgets.set, {
      orgId: world.orgA,
      scope: "agent",
      agentId: world.agent.agentId,
      limitTokens: 2_000,
    });
    await admin.mutation(api.budgets.set, {
      orgId: world.orgA,
      scope: "project",
      projectId: world.projectA2,
      limitTokens: 1,
    });
    const taskId = (
      await agent.mutation(api.agentTasks.create, { title: "Spend" })
    ).id;
    await agent.mutation(api.agentTasks.claim, { taskId });
    const report = await agent.mutation(api.usage.report, {
      inputTokens: 1_200,
      outputTokens: 300,
      costUsd: 0.1,
    });
    expect(report.taskId).toBe(taskId);
    expect(
      report.budgets.map((b) => [
        b.scope,
        b.remainingTokens,
        b.remainingCostUsd,
      ]),
    ).toEqual([
      ["org", undefined, 99.9],
      ["agent", 500, undefined],
    ]);
    await agent.mutation(api.usage.report, {
      inputTokens: 900,
      outputTokens: 0,
      costUsd: 0.2,
    });
    const context = await agent.query(api.agentContext.get, {});
    expect(
      context.budgets.map((b) => [b.remainingTokens, b.usedCostUsd]),
    ).toEqual([
      [undefined, 0.3],
      [0, 0.3],
    ]);
    // Changing a limit keeps what was used; the agent sees only its own envelopes.
    await admin.mutation(api.budgets.set, {
      orgId: world.orgA,
      scope: "agent",
      agentId: world.agent.agentId,
      limitTokens: 10_000,
    });
    const visible = await agent.query(api.budgets.list, { orgId: world.orgA });
    expect(visible.map((b) => [b.scope, b.remainingTokens])).toEqual([
      ["agent", 7_600],
      ["org", undefined],
    ]);
    expect(
      await as(t, world.a.viewer).query(api.budgets.list, {
        orgId: world.orgA,
      }),
    ).toHaveLength(3);
  });

  test("reports and envelopes are checked", async () => {
    const { t, world } = await freshWorld();
    const agent = as(t, world.agent);
    await expectCode(
      agent.mutation(api.usage.report, { inputTokens: 1.5, outputTokens: 0 }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      agent.mutation(api.usage.report, {
        inputTokens: 1,
        outputTokens: 1,
        taskId: await insertTask(t, world, {}, world.projectA2),
      }),
      "FORBIDDEN",
    );
    const admin = as(t, world.a.admin);
    await expectCode(
      admin.mutation(api.budgets.set, { orgId: world.orgA, scope: "agent" }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      admin.mutation(api.budgets.set, {
        orgId: world.orgA,
        scope: "agent",
        agentId: world.agentB.agentId,
      }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      admin.mutation(api.budgets.set, {
        orgId: world.orgA,
        scope: "project",
        projectId: world.projectA,
        limitCostUsd: -1,
      }),
      "INVALID_ARGUMENT",
    );
  });
});
