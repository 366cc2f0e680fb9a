/**
 * Workflow runs end to end in the control plane: saving definitions, the
 * interpreter (conditions, retries, failure policies), each gate, the
 * watchdog, rerun and cancel. Scheduled advances are driven explicitly
 * (`advance`) or through the harness's scheduler (`runScheduled`).
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { errorCode } from "../../convex/model/errors";
import { expectCode, settle } from "./expectCode";
import {
  addAgents,
  as,
  freshWorld,
  mustRead,
  useFakeClock,
  type AgentActor,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

/** An external step of agent-a (world.agent). */
const step = (id: string, ...extra: string[]) => [
  `  ${id}:`,
  "    executor: external",
  "    agent: agent-a",
  `    prompt: Do ${id}`,
  ...extra.map((line) => `    ${line}`),
];

async function save(t: Backend, world: World, source: string) {
  return await as(t, world.a.member).mutation(api.workflows.save, {
    projectId: world.projectA,
    source,
  });
}

async function run(
  t: Backend,
  world: World,
  source: string,
  inputs?: Record<string, string | number | boolean | null>,
): Promise<Id<"workflowRuns">> {
  const workflowId = await save(t, world, source);
  const runId = await as(t, world.a.member).mutation(api.workflowRuns.start, {
    workflowId,
    ...(inputs === undefined ? {} : { inputs }),
  });
  await advance(t, runId);
  return runId;
}

async function advance(t: Backend, runId: Id<"workflowRuns">) {
  await t.mutation(internal.workflowRuns.advance, { runId });
}

async function runScheduled(t: Backend): Promise<void> {
  await t.finishAllScheduledFunctions(vi.runAllTimers);
}

async function detail(t: Backend, world: World, runId: Id<"workflowRuns">) {
  return await as(t, world.a.viewer).query(api.workflowRuns.get, { runId });
}

async function states(
  t: Backend,
  world: World,
  runId: Id<"workflowRuns">,
): Promise<Record<string, string>> {
  const { run: doc, steps } = await detail(t, world, runId);
  return {
    run: doc.status,
    ...Object.fromEntries(steps.map((s) => [s.stepId, s.state])),
  };
}

async function stepRow(
  t: Backend,
  world: World,
  runId: Id<"workflowRuns">,
  stepId: string,
) {
  const { steps } = await detail(t, world, runId);
  const row = steps.find((s) => s.stepId === stepId);
  if (row === undefined) throw new Error(`no step ${stepId}`);
  return row;
}

async function complete(
  t: Backend,
  by: AgentActor,
  runId: Id<"workflowRuns">,
  stepId: string,
  result:
    | { status: "succeeded"; output?: Record<string, string | number> }
    | { status: "failed"; error: string } = { status: "succeeded" },
) {
  await as(t, by).mutation(api.agentWorkflows.completeStep, {
    runId,
    stepId,
    ...result,
  });
}

describe("definitions", () => {
  test("a broken definition is refused with its line numbers", async () => {
    const { t, world } = await freshWorld();
    const outcome = await settle(
      save(
        t,
        world,
        yaml("name: Broken", "steps:", ...step("a", "needs: [zzz]")),
      ),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(errorCode(outcome.error)).toBe("INVALID_ARGUMENT");
    const message = (outcome.error as { data: { message: string } }).data
      .message;
    expect(message).toMatch(/line 7/);
  });

  test("an unknown agent is refused naming the step and line; saves are versioned", async () => {
    const { t, world } = await freshWorld();
    const source = yaml("name: Ship", "steps:", ...step("a")).replace(
      "agent-a",
      "ghost",
    );
    const outcome = await settle(save(t, world, source));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      const { message } = (outcome.error as { data: { message: string } }).data;
      expect(message).toContain('line 5: steps.a: no agent named "ghost"');
    }
    const good = yaml("name: Ship", "steps:", ...step("a"));
    const v1 = await save(t, world, good);
    const v2 = await save(t, world, good);
    expect((await mustRead(t, "workflows", v1)).version).toBe(1);
    expect((await mustRead(t, "workflows", v2)).version).toBe(2);
  });
});

describe("running", () => {
  test("a three-layer DAG runs to success through the agent's tasks", async () => {
    const { t, world } = await freshWorld();
    const workflowId = await save(
      t,
      world,
      yaml(
        "name: Ship",
        "steps:",
        ...step("a"),
        ...step("b", "needs: a"),
        ...step("c", "needs: a"),
        "  d:",
        "    executor: external",
        "    agent: agent-a",
        "    needs: [b, c]",
        '    prompt: "Publish build {{ steps.a.output.build }}"',
      ),
    );
    const runId = await as(t, world.a.member).mutation(api.workflowRuns.start, {
      workflowId,
    });
    await runScheduled(t);
    expect(await states(t, world, runId)).toMatchObject({
      a: "running",
      b: "pending",
    });
    const a = await stepRow(t, world, runId, "a");
    const task = await mustRead(t, "tasks", a.taskId!);
    expect(task).toMatchObject({
      title: "Ship: a",
      assigneeId: world.agent.agentId,
      labels: ["workflow"],
    });
    expect(task.description).toContain(`runId "${runId}"`);

    await complete(t, world.agent, runId, "a", {
      status: "succeeded",
      output: { build: 42 },
    });
    await runScheduled(t);
    expect(await states(t, world, runId)).toMatchObject({
      a: "succeeded",
      b: "running",
      c: "running",
      d: "pending",
    });
    await complete(t, world.agent, runId, "b");
    await complete(t, world.agent, runId, "c");
    await runScheduled(t);
    const d = await stepRow(t, world, runId, "d");
    expect(d.state).toBe("running");
    expect((await mustRead(t, "tasks", d.taskId!)).description).toContain(
      "Publish build 42",
    );
    await complete(t, world.agent, runId, "d");
    await runScheduled(t);
    const done = await detail(t, world, runId);
    expect(done.run.status).toBe("succeeded");
    expect(done.events.at(-1)?.kind).toBe("run.succeeded");
  });

  test("a false condition skips the step and its dependents still run", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "inputs:",
        "  deploy: { default: false }",
        "steps:",
        ...step("a", 'if: "inputs.deploy == true"'),
        ...step("b", "needs: a"),
      ),
    );
    expect(await states(t, world, runId)).toMatchObject({
      a: "skipped",
      b: "running",
    });
  });

  test("only the step's own agent completes it, and only while it runs", async () => {
    const { t, world } = await freshWorld();
    const [other] = await addAgents(t, world, ["other"]);
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a")),
    );
    await expectCode(complete(t, other!, runId, "a"), "FORBIDDEN");
    await complete(t, world.agent, runId, "a");
    await expectCode(
      complete(t, world.agent, runId, "a"),
      "ILLEGAL_TRANSITION",
    );
  });
});

describe("retries and failure policies", () => {
  test("a failed attempt waits out its backoff, then runs again", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "steps:",
        ...step("a", "retries: { max: 2, backoff: 10s, factor: 2 }"),
      ),
    );
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "flaky",
    });
    let a = await stepRow(t, world, runId, "a");
    expect(a).toMatchObject({ state: "waiting", readyAt: T0 + 10_000 });
    expect(a.gate).toMatch(/^retry in 10s/);
    await advance(t, runId);
    expect((await stepRow(t, world, runId, "a")).state).toBe("waiting");

    vi.setSystemTime(T0 + 10_000);
    await advance(t, runId);
    a = await stepRow(t, world, runId, "a");
    expect(a).toMatchObject({ state: "running", attempt: 2 });
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "flaky",
    });
    expect((await stepRow(t, world, runId, "a")).readyAt).toBe(T0 + 30_000);
    vi.setSystemTime(T0 + 30_000);
    await advance(t, runId);
    await complete(t, world.agent, runId, "a");
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      run: "succeeded",
      a: "succeeded",
    });
    expect((await stepRow(t, world, runId, "a")).attempt).toBe(3);
  });

  const policyRun = (policy: string) =>
    yaml(
      "name: Ship",
      "steps:",
      ...step("a", `on_failure: ${policy}`),
      ...step("b", "needs: a"),
      ...step("c", "needs: b"),
      ...step("d"),
    );

  test("fail_run fails the run and closes what is left", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(t, world, policyRun("fail_run"));
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "no",
    });
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      run: "failed",
      a: "failed",
      b: "skipped",
      c: "skipped",
      d: "failed",
    });
  });

  test("skip_dependents skips the transitive dependents; the rest goes on", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(t, world, policyRun("skip_dependents"));
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "no",
    });
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      run: "running",
      b: "skipped",
      c: "skipped",
      d: "running",
    });
    await complete(t, world.agent, runId, "d");
    await advance(t, runId);
    expect((await states(t, world, runId)).run).toBe("succeeded");
  });

  test("continue lets dependents run", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(t, world, policyRun("continue"));
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "no",
    });
    await advance(t, runId);
    expect(await states(t, world, runId)).toMatchObject({
      a: "failed",
      b: "running",
      d: "running",
    });
  });
});

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
