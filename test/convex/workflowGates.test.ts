/**
 * Each governance gate a workflow step passes before it runs (concurrency of
 * the run, project and agent; trust; approval; budget), then the watchdog,
 * rerun and cancel.
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { expectCode } from "./expectCode";
import {
  T0,
  yaml,
  step,
  run,
  advance,
  states,
  stepRow,
  complete,
} from "./workflowRunSupport";
import { as, freshWorld, mustRead, useFakeClock } from "./world";

useFakeClock(T0);

describe("gates", () => {
  test("run concurrency: one step at a time", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "concurrency: 1",
        "steps:",
        ...step("a"),
        ...step("b"),
      ),
    );
    expect(await states(t, world, runId)).toMatchObject({
      a: "running",
      b: "waiting",
    });
    expect((await stepRow(t, world, runId, "b")).gate).toMatch(/^concurrency/);
    await complete(t, world.agent, runId, "a");
    await advance(t, runId);
    expect((await states(t, world, runId)).b).toBe("running");
  });

  test("agent concurrency: an agent runs at most two steps", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a"), ...step("b"), ...step("c")),
    );
    expect(await states(t, world, runId)).toMatchObject({
      a: "running",
      b: "running",
      c: "waiting",
    });
    expect((await stepRow(t, world, runId, "c")).gate).toBe(
      "agent concurrency: agent-a already runs 2 steps",
    );
  });

  test("trust: a standard agent waits on a trusted step until trusted", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a", "trust: trusted")),
    );
    const a = await stepRow(t, world, runId, "a");
    expect(a.state).toBe("waiting");
    expect(a.gate).toBe("trust: agent-a is standard; this step needs trusted");
    await t.run(async (ctx) => {
      await ctx.db.patch("agents", world.agent.agentId, {
        trustLevel: "trusted",
      });
    });
    await advance(t, runId);
    expect((await stepRow(t, world, runId, "a")).state).toBe("running");
  });

  test("approval: the step waits until a person approves", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a", "approval: true")),
    );
    const a = await stepRow(t, world, runId, "a");
    expect(a.state).toBe("waiting");
    expect(a.gate).toMatch(/^approval/);
    const approval = await mustRead(t, "approvals", a.approvalId!);
    expect(approval).toMatchObject({
      kind: "workflow_step",
      status: "pending",
      requesterId: world.a.member.userId,
    });
    // Asked once, however often the run advances.
    await advance(t, runId);
    expect((await stepRow(t, world, runId, "a")).approvalId).toBe(a.approvalId);

    await as(t, world.a.admin).mutation(api.approvals.resolve, {
      approvalId: a.approvalId!,
      decision: "approve",
    });
    // The decision scheduled the run's advance (model/approvals.ts hook).
    const jobs = await t.run(
      async (ctx) =>
        await ctx.db.system.query("_scheduled_functions").collect(),
    );
    expect(jobs.some((job) => job.name.includes("approvalDecided"))).toBe(true);
    await t.mutation(internal.workflowRuns.approvalDecided, {
      approvalId: a.approvalId!,
    });
    expect((await stepRow(t, world, runId, "a")).state).toBe("running");
  });

  test("budget: an exhausted project envelope holds steps until raised", async () => {
    const { t, world } = await freshWorld();
    const setLimit = (limitTokens: number) =>
      as(t, world.a.admin).mutation(api.budgets.set, {
        orgId: world.orgA,
        scope: "project",
        projectId: world.projectA,
        limitTokens,
      });
    await setLimit(100);
    await as(t, world.agent).mutation(api.usage.report, {
      projectId: world.projectA,
      inputTokens: 100,
      outputTokens: 50,
    });
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a")),
    );
    const a = await stepRow(t, world, runId, "a");
    expect(a.state).toBe("waiting");
    expect(a.gate).toMatch(/^budget: .*exhausted/);
    await setLimit(1_000);
    await advance(t, runId);
    expect((await stepRow(t, world, runId, "a")).state).toBe("running");
  });
});

describe("watchdog, rerun, cancel", () => {
  test("a step past its timeout fails, retries, then fails the run", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "steps:",
        ...step("a", "timeout: 1m", "retries: { max: 1, backoff: 10s }"),
      ),
    );
    vi.setSystemTime(T0 + 61_000);
    await t.mutation(internal.workflowRuns.watchdog, {});
    let a = await stepRow(t, world, runId, "a");
    expect(a).toMatchObject({ state: "waiting", error: "timed out after 61s" });
    vi.setSystemTime(T0 + 71_000);
    await advance(t, runId);
    a = await stepRow(t, world, runId, "a");
    expect(a).toMatchObject({ state: "running", attempt: 2 });
    vi.setSystemTime(T0 + 200_000);
    await t.mutation(internal.workflowRuns.watchdog, {});
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      run: "failed",
      a: "failed",
    });
  });

  test("rerunStep restarts a failed step and the dependents it skipped", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a"), ...step("b", "needs: a")),
    );
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "no",
    });
    await advance(t, runId);
    expect((await states(t, world, runId)).run).toBe("failed");
    await expectCode(
      as(t, world.a.member).mutation(api.workflowRuns.rerunStep, {
        runId,
        stepId: "b",
      }),
      "ILLEGAL_TRANSITION",
    );
    await as(t, world.a.member).mutation(api.workflowRuns.rerunStep, {
      runId,
      stepId: "a",
    });
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      run: "running",
      a: "running",
      b: "pending",
    });
    expect((await stepRow(t, world, runId, "a")).attempt).toBe(1);
    await complete(t, world.agent, runId, "a");
    await advance(t, runId);
    await complete(t, world.agent, runId, "b");
    await advance(t, runId);
    expect((await states(t, world, runId)).run).toBe("succeeded");
  });

  test("cancel ends the run, its steps and their tasks", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a"), ...step("b", "needs: a")),
    );
    const { taskId } = await stepRow(t, world, runId, "a");
    await as(t, world.a.member).mutation(api.workflowRuns.cancel, { runId });
    expect(await states(t, world, runId)).toMatchObject({
      run: "cancelled",
      a: "failed",
      b: "skipped",
    });
    expect((await mustRead(t, "tasks", taskId!)).status).toBe("cancelled");
    await expectCode(
      complete(t, world.agent, runId, "a"),
      "ILLEGAL_TRANSITION",
    );
  });
});
