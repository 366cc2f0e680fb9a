/**
 * Native agents in threads (convex/nativeSessions.ts): turns scheduled
 * server-side round the participants, each a real HTTP call to the scripted
 * model; the stop conditions (a role's stop phrase, max turns, someone
 * stopping it, the budget gate, a model error, the watchdog); session
 * start/end events on the thread; usage and its cost against the budgets.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { costUsd } from "../../convex/model/modelPrices";
import type { ScriptedModel, Turn } from "../support/scriptedModel";
import { expectCode } from "./expectCode";
import { insertNativeAgent } from "./nativeSessionCases";
import { insertThread } from "./publicFunctionCases";
import { clearModelEnv, startScriptedModel } from "./scriptedModelEnv";
import {
  as,
  freshWorld,
  mustRead,
  setDeploymentEnv,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

// Only the clock is fake: the actions' HTTP calls need real timers and sockets.
useFakeClock(Date.UTC(2030, 0, 1, 9, 0, 0), { toFake: ["Date"] });

const MODEL = "claude-sonnet-4-6";

let model: ScriptedModel | null = null;
afterEach(async () => {
  await model?.close();
  model = null;
});

async function withModel(t: Backend, script: Turn[]): Promise<ScriptedModel> {
  model = await startScriptedModel(t, script, MODEL);
  return model;
}

async function plannerAndCritic(t: Backend, world: World) {
  return {
    threadId: await insertThread(t, world),
    planner: await insertNativeAgent(
      t,
      world,
      "planner-bot",
      "Plans are short.",
    ),
    critic: await insertNativeAgent(t, world, "critic-bot"),
  };
}

async function threadMessages(
  t: Backend,
  threadId: Id<"threads">,
): Promise<Doc<"messages">[]> {
  return await t.run(async (ctx) =>
    ctx.db
      .query("messages")
      .withIndex("by_threadId", (q) => q.eq("threadId", threadId))
      .collect(),
  );
}

async function agentUsage(t: Backend, agentId: Id<"agents">) {
  return await t.run(async (ctx) =>
    ctx.db
      .query("usageRecords")
      .withIndex("by_principalId_at", (q) => q.eq("principalId", agentId))
      .collect(),
  );
}

const run = (t: Backend) => t.finishAllScheduledFunctions(vi.runAllTimers);

describe("native sessions in threads", () => {
  test("a planner and a critic take turns until the critic has no objections", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, [
      "1. Tag the release. 2. Publish.",
      "1. No rollback plan.",
      "1. Tag. 2. Publish. 3. Roll back by re-tagging.",
      "No objections.",
      "never used: the session stops before a fifth turn",
    ]);
    try {
      const { threadId, planner, critic } = await plannerAndCritic(t, world);
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        {
          threadId,
          participants: [
            { agentId: planner, role: "planner" },
            { agentId: critic, role: "critic" },
          ],
          goal: "Plan the 1.2 release",
          maxTurns: 8,
        },
      );
      await run(t);

      const session = await mustRead(t, "nativeSessions", sessionId);
      expect(session).toMatchObject({
        status: "ended",
        turnsTaken: 4,
        endReason: "critic-bot said the stop phrase",
      });
      const messages = await threadMessages(t, threadId);
      expect(messages.map((m) => [m.authorId, m.event ?? m.body])).toEqual([
        [world.a.member.userId, "Plan the 1.2 release"],
        [world.a.member.userId, "session_start"],
        [planner, "1. Tag the release. 2. Publish."],
        [critic, "1. No rollback plan."],
        [planner, "1. Tag. 2. Publish. 3. Roll back by re-tagging."],
        [critic, "No objections."],
        [critic, "session_end"],
      ]);
      expect(messages[1]!.body).toBe(
        "Native session: planner-bot (planner), critic-bot (critic); up to 8 turns.",
      );
      expect(messages.at(-1)!.body).toBe(
        "Native session ended: critic-bot said the stop phrase.",
      );

      // The critic's first turn: its role, and the thread seen from its side.
      const turns = scripted.turns();
      expect(turns).toHaveLength(4);
      const criticFirst = turns[1]!.body!;
      expect(criticFirst.system).toContain("You are critic-bot");
      expect(criticFirst.system).toContain("Only raise objections");
      expect(criticFirst.system).toContain("This is turn 2 of at most 8.");
      const member = await mustRead(t, "users", world.a.member.userId);
      expect(criticFirst.messages).toEqual([
        {
          role: "user",
          content: `[${member.name}]: Plan the 1.2 release\n\n[planner-bot]: 1. Tag the release. 2. Publish.\n\n(It is your turn.)`,
        },
      ]);
      // The planner's second turn sees its own first reply as the assistant's.
      expect(turns[2]!.body!.system).toContain("Plans are short.");
      expect(turns[2]!.body!.messages.map((m) => m.role)).toEqual([
        "user",
        "assistant",
        "user",
      ]);

      // Every turn's tokens and their cost, against the agents' own records.
      let sessionTokens = 0;
      let sessionCost = 0;
      for (const agentId of [planner, critic]) {
        const usage = await agentUsage(t, agentId);
        expect(usage).toHaveLength(2);
        for (const record of usage) {
          expect(record.inputTokens).toBeGreaterThan(0);
          expect(record.model).toBe(MODEL);
          expect(record.costUsd).toBeCloseTo(
            costUsd(MODEL, record.inputTokens, record.outputTokens),
            12,
          );
          sessionTokens += record.inputTokens + record.outputTokens;
          sessionCost += record.costUsd;
        }
      }
      expect(session.usedTokens).toBe(sessionTokens);
      expect(session.usedCostUsd).toBeCloseTo(sessionCost, 12);
    } finally {
      await clearModelEnv(t);
    }
  });

  test("max turns ends the session, and a lone agent sees its own replies", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, ["First thought.", "Second thought."]);
    try {
      const threadId = await insertThread(t, world);
      const agentId = await insertNativeAgent(t, world, "thinker");
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        { threadId, participants: [{ agentId }], maxTurns: 2 },
      );
      await run(t);

      expect(await mustRead(t, "nativeSessions", sessionId)).toMatchObject({
        status: "ended",
        turnsTaken: 2,
        endReason: "reached its limit of 2 turns",
      });
      scripted.assertDone();
      const second = scripted.turns()[1]!.body!;
      expect(second.messages).toEqual([
        { role: "user", content: "(The thread so far.)" },
        { role: "assistant", content: "First thought." },
        { role: "user", content: "(It is your turn.)" },
      ]);
    } finally {
      await clearModelEnv(t);
    }
  });

  test("a spent budget stops the next turn and asks for a raise", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, ["A plan that costs tokens."]);
    try {
      const threadId = await insertThread(t, world);
      const planner = await insertNativeAgent(t, world);
      const budgetId = await agentBudget(t, world, planner, 1);
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        { threadId, participants: [{ agentId: planner }], maxTurns: 3 },
      );
      await run(t);

      // The first turn ran on an open envelope and spent it; the second was
      // refused in the mutation that would have dispatched it.
      scripted.assertDone();
      const budget = await mustRead(t, "budgets", budgetId);
      expect(budget.usedTokens).toBeGreaterThan(1);
      expect(budget.raiseApprovalId).toBeDefined();
      const session = await mustRead(t, "nativeSessions", sessionId);
      expect(session).toMatchObject({ status: "ended", turnsTaken: 1 });
      expect(session.endReason).toMatch(
        /^The agent budget is exhausted: .*; approval requested$/,
      );
    } finally {
      await clearModelEnv(t);
    }
  });

  test("a session on a spent envelope never calls the model", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, []);
    try {
      const threadId = await insertThread(t, world);
      const planner = await insertNativeAgent(t, world);
      const budgetId = await agentBudget(t, world, planner, 10);
      await t.run(async (ctx) => {
        await ctx.db.patch("budgets", budgetId, { usedTokens: 10 });
      });
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        { threadId, participants: [{ agentId: planner }] },
      );
      await run(t);

      expect(scripted.turns()).toHaveLength(0);
      expect(await mustRead(t, "nativeSessions", sessionId)).toMatchObject({
        status: "ended",
        turnsTaken: 0,
      });
      const events = (await threadMessages(t, threadId)).map((m) => m.event);
      expect(events).toEqual(["session_start", "session_end"]);
    } finally {
      await clearModelEnv(t);
    }
  });

  test("someone stopping the session drops the turn already scheduled", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, []);
    try {
      const threadId = await insertThread(t, world);
      const agentId = await insertNativeAgent(t, world);
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        { threadId, participants: [{ agentId }] },
      );
      await as(t, world.a.admin).mutation(api.nativeSessions.stop, {
        sessionId,
      });
      await run(t);

      expect(scripted.turns()).toHaveLength(0);
      const admin = await mustRead(t, "users", world.a.admin.userId);
      expect(await mustRead(t, "nativeSessions", sessionId)).toMatchObject({
        status: "ended",
        endReason: `stopped by ${admin.name}`,
      });
      const last = (await threadMessages(t, threadId)).at(-1)!;
      expect(last).toMatchObject({
        authorId: world.a.admin.userId,
        event: "session_end",
      });
      // Stopping an ended session changes nothing.
      await as(t, world.a.admin).mutation(api.nativeSessions.stop, {
        sessionId,
      });
      expect(
        (await threadMessages(t, threadId)).filter(
          (m) => m.event === "session_end",
        ),
      ).toHaveLength(1);
    } finally {
      await clearModelEnv(t);
    }
  });

  test("a failed model call ends the session with the reason", async () => {
    const { t, world } = await freshWorld();
    await setDeploymentEnv(t, "ANTHROPIC_API_KEY", undefined);
    const threadId = await insertThread(t, world);
    const agentId = await insertNativeAgent(t, world, "writer");
    const sessionId = await as(t, world.a.member).mutation(
      api.nativeSessions.start,
      { threadId, participants: [{ agentId }] },
    );
    await run(t);
    expect(await mustRead(t, "nativeSessions", sessionId)).toMatchObject({
      status: "ended",
      turnsTaken: 0,
      endReason: "writer's turn failed: ANTHROPIC_API_KEY is not set",
    });
  });

  test("the watchdog ends a session whose turn never came back", async () => {
    const { t, world } = await freshWorld();
    const scripted = await withModel(t, []);
    try {
      const threadId = await insertThread(t, world);
      const agentId = await insertNativeAgent(t, world);
      const sessionId = await as(t, world.a.member).mutation(
        api.nativeSessions.start,
        { threadId, participants: [{ agentId }] },
      );
      // The turn's action is lost (a restart); four minutes is not overdue…
      vi.setSystemTime(Date.now() + 4 * 60_000);
      expect(await t.mutation(internal.nativeSessions.watchdog, {})).toBe(0);
      // …six minutes is.
      vi.setSystemTime(Date.now() + 2 * 60_000);
      expect(await t.mutation(internal.nativeSessions.watchdog, {})).toBe(1);
      await run(t);

      expect(scripted.turns()).toHaveLength(0);
      expect(await mustRead(t, "nativeSessions", sessionId)).toMatchObject({
        status: "ended",
        endReason: "turn 1 got no answer within 5 minutes",
      });
    } finally {
      await clearModelEnv(t);
    }
  });
});

describe("starting a native session", () => {
  test("refuses bad participants, turn limits and a second running session", async () => {
    const { t, world } = await freshWorld();
    const threadId = await insertThread(t, world);
    const agentId = await insertNativeAgent(t, world);
    const member = as(t, world.a.member);
    const start = (args: {
      participants: { agentId: Id<"agents"> }[];
      maxTurns?: number;
    }) => member.mutation(api.nativeSessions.start, { threadId, ...args });

    // An external agent cannot take turns here.
    await expectCode(
      start({ participants: [{ agentId: world.agent.agentId }] }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      start({ participants: [{ agentId: world.agentB.agentId }] }),
      "NOT_FOUND",
    );
    await expectCode(start({ participants: [] }), "INVALID_ARGUMENT");
    await expectCode(
      start({ participants: [{ agentId }, { agentId }] }),
      "INVALID_ARGUMENT",
    );
    for (const maxTurns of [0, 51, 2.5]) {
      await expectCode(
        start({ participants: [{ agentId }], maxTurns }),
        "INVALID_ARGUMENT",
      );
    }
    // Nothing was written by the refusals.
    expect(await threadMessages(t, threadId)).toEqual([]);

    await start({ participants: [{ agentId }] });
    await expectCode(start({ participants: [{ agentId }] }), "ALREADY_EXISTS");
  });
});

async function agentBudget(
  t: Backend,
  world: World,
  agentId: Id<"agents">,
  limitTokens: number,
): Promise<Id<"budgets">> {
  return await as(t, world.a.admin).mutation(api.budgets.set, {
    orgId: world.orgA,
    scope: "agent",
    agentId,
    limitTokens,
  });
}
