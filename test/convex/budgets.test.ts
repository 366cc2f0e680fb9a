/**
 * Budgets that are enforced: the 80% notice and the 100% raise request, once
 * per period; the dispatch gate for each scope and its reopening by a raise;
 * the monthly reset by the cron; tokens and money as independent limits.
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import crons from "../../convex/crons";
import {
  dispatchAllowance,
  type DispatchAllowance,
} from "../../convex/model/budgets";
import type { BudgetCover } from "../../convex/model/budgetGate";
import type { BudgetInput } from "../../convex/model/budgetSettings";
import type { BudgetScope } from "../../convex/validators";
import { expectCode } from "./expectCode";
import { insertBudget } from "./agentPolicyCases";
import { insertRun, stepOf } from "./workflowCases";
import {
  as,
  auditEvents,
  freshWorld,
  mustRead,
  useFakeClock,
  type AgentActor,
  type Backend,
  type World,
} from "./world";

// Late on the last day of January, so tests can step into February.
const T0 = Date.UTC(2030, 0, 31, 22, 0, 0);
const FEBRUARY = Date.UTC(2030, 1, 1, 0, 5, 0);

useFakeClock(T0);

const setup = freshWorld;

/** What budgets.set takes, besides the org. */
type Envelope = BudgetInput;

async function setBudget(
  t: Backend,
  world: World,
  envelope: Envelope,
): Promise<Id<"budgets">> {
  return await as(t, world.a.admin).mutation(api.budgets.set, {
    orgId: world.orgA,
    ...envelope,
  });
}

const projectEnvelope = (world: World, limits: Partial<Envelope>) => ({
  scope: "project" as const,
  projectId: world.projectA,
  ...limits,
});

async function report(
  t: Backend,
  world: World,
  tokens: number,
  costUsd = 0,
  by: AgentActor = world.agent,
) {
  return await as(t, by).mutation(api.usage.report, {
    projectId: world.projectA,
    inputTokens: tokens,
    outputTokens: 0,
    costUsd,
  });
}

function cover(world: World, extra: Partial<BudgetCover> = {}): BudgetCover {
  return {
    orgId: world.orgA,
    projectId: world.projectA,
    agentId: world.agent.agentId,
    ...extra,
  };
}

async function allowance(
  t: Backend,
  of: BudgetCover,
): Promise<DispatchAllowance> {
  return await t.run(async (ctx) => await dispatchAllowance(ctx, of));
}

/** Messages of project A's general thread, oldest first. */
async function generalMessages(t: Backend, world: World) {
  return await t.run(async (ctx) => {
    const thread = await ctx.db
      .query("threads")
      .withIndex("by_projectId_taskId", (q) =>
        q.eq("projectId", world.projectA).eq("taskId", undefined),
      )
      .first();
    if (thread === null) return [];
    return await ctx.db
      .query("messages")
      .withIndex("by_threadId", (q) => q.eq("threadId", thread._id))
      .collect();
  });
}

async function raiseApprovals(t: Backend): Promise<Doc<"approvals">[]> {
  return await t.run(async (ctx) =>
    (await ctx.db.query("approvals").collect()).filter(
      (approval) => approval.kind === "budget_raise",
    ),
  );
}

async function actions(t: Backend, prefix: string) {
  return (await auditEvents(t)).filter((event) =>
    event.action.startsWith(prefix),
  );
}

describe("thresholds", () => {
  test("80% notifies once in the general thread, with an audit event", async () => {
    const { t, world } = await setup();
    const budgetId = await setBudget(
      t,
      world,
      projectEnvelope(world, { limitTokens: 1000 }),
    );
    await report(t, world, 700);
    expect(await generalMessages(t, world)).toEqual([]);

    const crossed = await report(t, world, 150);
    expect(crossed.budgets[0]).toMatchObject({
      warned: true,
      exhausted: false,
    });
    await report(t, world, 50);

    const messages = await generalMessages(t, world);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      kind: "event",
      event: "budget_warning",
    });
    expect(messages[0]!.body).toBe(
      "The project budget is at 80%: 850 of 1k tokens used this month, 150 tokens left.",
    );
    const warned = await actions(t, "budget.warned");
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ actor: "system", entityId: budgetId });
    expect((await mustRead(t, "budgets", budgetId)).warnedAt).toBe(T0);
    expect(await raiseApprovals(t)).toEqual([]);
    expect(await allowance(t, cover(world))).toEqual({ ok: true });
  });

  test("100% requests exactly one raise per period; reports are still recorded", async () => {
    const { t, world } = await setup();
    const budgetId = await setBudget(
      t,
      world,
      projectEnvelope(world, { limitCostUsd: 50 }),
    );
    const spent = await report(t, world, 10, 50);
    expect(spent.budgets[0]).toMatchObject({
      exhausted: true,
      warned: true,
      remainingCostUsd: 0,
    });
    // Later reports are counted, never refused, and ask nothing new.
    const later = await report(t, world, 10, 1);
    expect(later.budgets[0]!.usedCostUsd).toBe(51);

    const approvals = await raiseApprovals(t);
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({
      status: "pending",
      projectId: world.projectA,
      requesterId: world.agent.agentId,
      summary: "Raise the project budget (100% of $50.00 used)",
      policy: { approverRole: "admin" },
    });
    expect(approvals[0]!.details).toContain("$50.00 of $50.00 used this month");
    const budget = await mustRead(t, "budgets", budgetId);
    expect(budget).toMatchObject({
      exhaustedAt: T0,
      raiseApprovalId: approvals[0]!._id,
    });
    // Exhausted at once: one notice (exhausted), not a warning as well.
    const messages = await generalMessages(t, world);
    expect(messages.map((message) => message.event)).toEqual([
      "budget_exhausted",
    ]);
    expect(await actions(t, "budget.exhausted")).toHaveLength(1);

    // A new month is a new period: running out again asks again.
    vi.setSystemTime(FEBRUARY);
    await t.mutation(internal.budgets.resetPeriods, {});
    await report(t, world, 10, 60);
    expect(await raiseApprovals(t)).toHaveLength(2);
  });
});

describe("dispatchAllowance", () => {
  const scopes: {
    scope: BudgetScope;
    envelope: (world: World, runId: Id<"workflowRuns">) => Envelope;
  }[] = [
    { scope: "org", envelope: () => ({ scope: "org" }) },
    {
      scope: "project",
      envelope: (world) => ({ scope: "project", projectId: world.projectA }),
    },
    {
      scope: "agent",
      envelope: (world) => ({ scope: "agent", agentId: world.agent.agentId }),
    },
    { scope: "run", envelope: (_, runId) => ({ scope: "run", runId }) },
  ];

  for (const { scope, envelope } of scopes) {
    test(`refuses an exhausted ${scope} envelope and allows after a raise`, async () => {
      const { t, world } = await setup();
      const runId = await insertRun(t, world);
      const otherRunId = await insertRun(t, world);
      const budgetId = await setBudget(t, world, {
        ...envelope(world, runId),
        limitTokens: 1_000_000,
      });
      const covered = cover(world, { runId });
      if (scope === "run") {
        // Usage reaches a run through its step's task or a native agent: count directly.
        await t.run(async (ctx) => {
          await ctx.db.patch("budgets", budgetId, { usedTokens: 1_020_000 });
        });
      } else {
        await report(t, world, 1_020_000);
      }
      const refused = await allowance(t, covered);
      expect(refused).toEqual({
        ok: false,
        budgetId,
        reason: `The ${scope} budget is exhausted: 1.02M of 1M tokens used this month; ${
          scope === "run" ? "raise the limit to resume" : "approval requested"
        }`,
      });
      // Work not covered by this envelope is not stopped by it.
      if (scope === "agent" || scope === "run") {
        expect(
          await allowance(
            t,
            cover(world, { agentId: undefined, runId: otherRunId }),
          ),
        ).toEqual({ ok: true });
      }

      await setBudget(t, world, {
        ...envelope(world, runId),
        limitTokens: 2_000_000,
      });
      expect(await allowance(t, covered)).toEqual({ ok: true });
      const raised = await mustRead(t, "budgets", budgetId);
      expect(raised.exhaustedAt).toBeUndefined();
      expect(raised.warnedAt).toBeUndefined();
      expect(raised.usedTokens).toBe(1_020_000);
    });
  }

  test("a raise still above 80% keeps the warning mark", async () => {
    const { t, world } = await setup();
    const budgetId = await setBudget(
      t,
      world,
      projectEnvelope(world, { limitTokens: 100 }),
    );
    await report(t, world, 100);
    await setBudget(t, world, projectEnvelope(world, { limitTokens: 110 }));
    const budget = await mustRead(t, "budgets", budgetId);
    expect(budget.exhaustedAt).toBeUndefined();
    expect(budget.warnedAt).toBe(T0);
    expect(await allowance(t, cover(world))).toEqual({ ok: true });
  });

  test("tokens and money are independent limits", async () => {
    const { t, world } = await setup();
    await setBudget(
      t,
      world,
      projectEnvelope(world, { limitTokens: 1000, limitCostUsd: 10 }),
    );
    await report(t, world, 10, 10);
    const byMoney = await allowance(t, cover(world));
    expect(byMoney.ok ? "" : byMoney.reason).toBe(
      "The project budget is exhausted: $10.00 of $10.00 used this month; approval requested",
    );

    await setBudget(
      t,
      world,
      projectEnvelope(world, { limitTokens: 1000, limitCostUsd: 100 }),
    );
    expect(await allowance(t, cover(world))).toEqual({ ok: true });
    await report(t, world, 990, 0);
    const byTokens = await allowance(t, cover(world));
    expect(byTokens.ok ? "" : byTokens.reason).toBe(
      "The project budget is exhausted: 1k of 1k tokens used this month; approval requested",
    );
  });

  test("an envelope of another org never covers this org's work", async () => {
    const { t, world } = await setup();
    const runId = await insertRun(t, world);
    // Org B cannot put an envelope on org A's run…
    await expectCode(
      as(t, world.bOwner).mutation(api.budgets.set, {
        orgId: world.orgB,
        scope: "run",
        runId,
        limitTokens: 0,
      }),
      "FORBIDDEN",
    );
    // …and its own org-wide envelope does not gate org A.
    await as(t, world.bOwner).mutation(api.budgets.set, {
      orgId: world.orgB,
      scope: "org",
      limitTokens: 0,
    });
    expect(await allowance(t, cover(world, { runId }))).toEqual({ ok: true });
  });
});

describe("periods", () => {
  test("the cron resets monthly envelopes at the month boundary, once", async () => {
    const { t, world } = await setup();
    const monthly = await setBudget(
      t,
      world,
      projectEnvelope(world, { limitTokens: 100 }),
    );
    const forever = await setBudget(t, world, {
      scope: "agent",
      agentId: world.agent.agentId,
      limitTokens: 100,
      period: "none",
    });
    await report(t, world, 100);
    expect(await t.mutation(internal.budgets.resetPeriods, {})).toBe(0);

    vi.setSystemTime(FEBRUARY);
    // Enforcement does not wait for the cron: the project's new month is fresh,
    // the agent's lifetime envelope is still spent.
    const before = await allowance(t, cover(world));
    expect(before).toMatchObject({ ok: false, budgetId: forever });
    expect(await allowance(t, cover(world, { agentId: undefined }))).toEqual({
      ok: true,
    });

    expect(await t.mutation(internal.budgets.resetPeriods, {})).toBe(1);
    expect(await mustRead(t, "budgets", monthly)).toMatchObject({
      usedTokens: 0,
      usedCostUsd: 0,
      periodStart: Date.UTC(2030, 1, 1),
    });
    const reset = await mustRead(t, "budgets", monthly);
    expect(reset.warnedAt).toBeUndefined();
    expect(reset.exhaustedAt).toBeUndefined();
    expect(await mustRead(t, "budgets", forever)).toMatchObject({
      usedTokens: 100,
      period: "none",
    });
    const resets = await actions(t, "budget.period_reset");
    expect(resets.map((event) => [event.actor, event.entityId])).toEqual([
      ["system", monthly],
    ]);
    // Idempotent: a second pass in the same month changes nothing.
    expect(await t.mutation(internal.budgets.resetPeriods, {})).toBe(0);
    expect(await actions(t, "budget.period_reset")).toHaveLength(1);
  });

  test("envelopes from before periods existed behave as monthly", async () => {
    const { t, world } = await setup();
    const legacy = await insertBudget(t, world, { limitTokens: 100 });
    await report(t, world, 100);
    expect((await allowance(t, cover(world))).ok).toBe(false);
    vi.setSystemTime(FEBRUARY);
    expect(await t.mutation(internal.budgets.resetPeriods, {})).toBe(1);
    expect(await mustRead(t, "budgets", legacy)).toMatchObject({
      usedTokens: 0,
      period: "monthly",
      periodStart: Date.UTC(2030, 1, 1),
    });
  });

  test("is registered as an hourly cron", () => {
    const job = Object.values(crons.crons).find(
      (entry) => entry.name === "budgets:resetPeriods",
    );
    expect(job?.schedule).toMatchObject({ type: "hourly", minuteUTC: 5 });
  });
});

describe("setting", () => {
  test("a run envelope needs an existing run of the org and nothing else", async () => {
    const { t, world } = await setup();
    const runId = await insertRun(t, world);
    const goneRunId = await insertRun(t, world);
    await t.run(async (ctx) => ctx.db.delete("workflowRuns", goneRunId));
    await expectCode(
      setBudget(t, world, { scope: "run", runId: goneRunId, limitTokens: 1 }),
      "NOT_FOUND",
    );
    await expectCode(
      setBudget(t, world, { scope: "run", runId, projectId: world.projectA }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      setBudget(t, world, { scope: "org", runId }),
      "INVALID_ARGUMENT",
    );
    const id = await setBudget(t, world, { scope: "run", runId });
    expect(await mustRead(t, "budgets", id)).toMatchObject({
      scope: "run",
      targetId: runId,
      period: "monthly",
      periodStart: Date.UTC(2030, 0, 1),
    });
  });
});

describe("usage of a workflow run", () => {
  test("usage reported on a step's task counts against the run, its step and its envelope", async () => {
    const { t, world } = await setup();
    const taskId = await as(t, world.a.member).mutation(api.tasks.create, {
      projectId: world.projectA,
      title: "Build it",
    });
    const runId = await insertRun(t, world, { state: "running", taskId });
    const runBudget = await setBudget(t, world, {
      scope: "run",
      runId,
      limitTokens: 1_000,
    });
    for (const tokens of [300, 200]) {
      await as(t, world.agent).mutation(api.usage.report, {
        projectId: world.projectA,
        taskId,
        inputTokens: tokens,
        outputTokens: 0,
        costUsd: 0.25,
      });
    }
    expect(await mustRead(t, "workflowRuns", runId)).toMatchObject({
      usedTokens: 500,
      usedCostUsd: 0.5,
    });
    expect(await stepOf(t, runId)).toMatchObject({
      usedTokens: 500,
      usedCostUsd: 0.5,
    });
    expect((await mustRead(t, "budgets", runBudget)).usedTokens).toBe(500);
  });

  test("usage on a task no step made leaves runs alone", async () => {
    const { t, world } = await setup();
    const runId = await insertRun(t, world);
    await report(t, world, 400);
    const run = await mustRead(t, "workflowRuns", runId);
    expect(run.usedTokens).toBeUndefined();
  });
});
