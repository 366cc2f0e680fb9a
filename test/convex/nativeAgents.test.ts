/**
 * Native agents (convex/nativeAgents.ts): a workflow step whose agent runs
 * inside Convex calls the model (here the scripted model server over real
 * HTTP), records the tokens against the budgets and settles the step.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { costUsd } from "../../convex/model/modelPrices";
import { reply, say, type ScriptedModel } from "../support/scriptedModel";
import { insertNativeAgent } from "./nativeSessionCases";
import { clearModelEnv, startScriptedModel } from "./scriptedModelEnv";
import { stepOf } from "./workflowCases";
import {
  as,
  freshWorld,
  mustRead,
  setDeploymentEnv,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

// Only the clock is fake: the action's HTTP call needs real timers and sockets.
useFakeClock(Date.UTC(2030, 0, 1, 9, 0, 0), { toFake: ["Date"] });

const INSTRUCTIONS = "You write short release notes.";
const SOURCE = `name: Notes
inputs:
  version: { default: "1.2" }
steps:
  write:
    executor: native
    agent: writer
    prompt: "Write notes for {{ inputs.version }}"
`;

let model: ScriptedModel | null = null;
afterEach(async () => {
  await model?.close();
  model = null;
});

async function startNativeRun(t: Backend, world: World) {
  const agentId = await insertNativeAgent(t, world, "writer", INSTRUCTIONS);

  const workflowId = await as(t, world.a.member).mutation(api.workflows.save, {
    projectId: world.projectA,
    source: SOURCE,
  });
  const runId = await as(t, world.a.member).mutation(api.workflowRuns.start, {
    workflowId,
  });
  return { agentId, runId };
}

async function runEnvelope(
  t: Backend,
  world: World,
  runId: Id<"workflowRuns">,
): Promise<Id<"budgets">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("budgets", {
        orgId: world.orgA,
        scope: "run",
        targetId: runId,
        limitTokens: 1_000_000,
        usedTokens: 0,
        usedCostUsd: 0,
        period: "none",
        updatedAt: Date.now(),
        updatedBy: world.a.owner.userId,
      }),
  );
}

describe("native agent steps", () => {
  test("call the model with the agent's instructions and record usage", async () => {
    const { t, world } = await freshWorld();
    model = await startScriptedModel(t, [reply(say("Notes for 1.2: faster."))]);
    try {
      const { agentId, runId } = await startNativeRun(t, world);
      const budgetId = await runEnvelope(t, world, runId);
      await t.finishAllScheduledFunctions(vi.runAllTimers);

      model.assertDone();
      const request = model.turns()[0]!.body!;
      expect(request.system).toBe(INSTRUCTIONS);
      expect(request.messages).toEqual([
        { role: "user", content: "Write notes for 1.2" },
      ]);
      const step = (await stepOf(t, runId))!;
      expect(step.state).toBe("succeeded");
      expect(JSON.parse(step.output!)).toEqual({
        text: "Notes for 1.2: faster.",
      });
      expect((await mustRead(t, "workflowRuns", runId)).status).toBe(
        "succeeded",
      );
      const usage = await t.run(
        async (ctx) =>
          await ctx.db
            .query("usageRecords")
            .withIndex("by_principalId_at", (q) => q.eq("principalId", agentId))
            .collect(),
      );
      expect(usage).toHaveLength(1);
      const spent = usage[0]!.inputTokens + usage[0]!.outputTokens;
      expect(spent).toBeGreaterThan(0);
      expect((await mustRead(t, "budgets", budgetId)).usedTokens).toBe(spent);
      // Priced by the default model's list price; the run and step show it.
      const cost = costUsd(
        "claude-sonnet-4-6",
        usage[0]!.inputTokens,
        usage[0]!.outputTokens,
      );
      expect(cost).toBeGreaterThan(0);
      expect(usage[0]!.costUsd).toBeCloseTo(cost, 12);
      expect(await mustRead(t, "workflowRuns", runId)).toMatchObject({
        usedTokens: spent,
      });
      const settled = (await stepOf(t, runId))!;
      expect(settled.usedTokens).toBe(spent);
      expect(settled.usedCostUsd).toBeCloseTo(cost, 12);
    } finally {
      await clearModelEnv(t);
    }
  });

  test("fail the step when no API key is set", async () => {
    const { t, world } = await freshWorld();
    await setDeploymentEnv(t, "ANTHROPIC_API_KEY", undefined);
    const { runId } = await startNativeRun(t, world);
    await t.finishAllScheduledFunctions(vi.runAllTimers);

    const step = (await stepOf(t, runId))!;
    expect(step).toMatchObject({
      state: "failed",
      error: "ANTHROPIC_API_KEY is not set",
    });
    expect((await mustRead(t, "workflowRuns", runId)).status).toBe("failed");
  });
});
