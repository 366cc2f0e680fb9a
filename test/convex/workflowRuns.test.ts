/**
 * Workflow runs end to end in the control plane: saving definitions, the
 * interpreter (conditions, retries, failure policies), each gate, the
 * watchdog, rerun and cancel. Scheduled advances are driven explicitly
 * (`advance`) or through the harness's scheduler (`runScheduled`).
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { readySteps, runStatus } from "../../convex/model/workflowDag";
import { errorCode } from "../../convex/model/errors";
import { parseWorkflow } from "../../convex/model/workflowYaml";
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

describe("step tasks and the interpreter's bookkeeping", () => {
  test("complete_step closes the step's task, claimed or not", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "steps:",
        ...step("a"),
        ...step("b"),
        ...step("c", "needs: a", "on_failure: continue"),
      ),
    );
    const a = await stepRow(t, world, runId, "a");
    const b = await stepRow(t, world, runId, "b");
    await as(t, world.agent).mutation(api.agentTasks.claim, {
      projectId: world.projectA,
      taskId: a.taskId!,
    });
    await complete(t, world.agent, runId, "a");
    // Never claimed: the system moves it todo -> in_progress -> done.
    await complete(t, world.agent, runId, "b");
    expect((await mustRead(t, "tasks", a.taskId!)).status).toBe("done");
    expect((await mustRead(t, "tasks", b.taskId!)).status).toBe("done");
    await advance(t, runId);
    const c = await stepRow(t, world, runId, "c");
    await complete(t, world.agent, runId, "c", {
      status: "failed",
      error: "no",
    });
    expect((await mustRead(t, "tasks", c.taskId!)).status).toBe("cancelled");
  });

  test("completions arriving together share one scheduled advance", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a"), ...step("b")),
    );
    const pendingAdvances = async () =>
      (
        await t.run(
          async (ctx) =>
            await ctx.db.system.query("_scheduled_functions").collect(),
        )
      ).filter(
        (job) => job.name.includes("advance") && job.state.kind === "pending",
      ).length;
    // The start's advance is still scheduled; `run` advanced directly.
    expect(await pendingAdvances()).toBe(1);
    await complete(t, world.agent, runId, "a");
    await complete(t, world.agent, runId, "b");
    expect(await pendingAdvances()).toBe(2);
    await runScheduled(t);
    expect((await states(t, world, runId)).run).toBe("succeeded");
  });

  test("a rerun need counts again for the pending steps that need it", async () => {
    const { t, world } = await freshWorld();
    const runId = await run(
      t,
      world,
      yaml(
        "name: Ship",
        "steps:",
        ...step("a", "on_failure: continue"),
        ...step("c"),
        ...step("b", "needs: [a, c]"),
      ),
    );
    await complete(t, world.agent, runId, "a", {
      status: "failed",
      error: "no",
    });
    await as(t, world.a.member).mutation(api.workflowRuns.rerunStep, {
      runId,
      stepId: "a",
    });
    await complete(t, world.agent, runId, "c");
    await advance(t, runId);
    // c is done and a failed under continue once, but a runs again now.
    expect(await states(t, world, runId)).toMatchObject({
      a: "running",
      b: "pending",
    });
    await complete(t, world.agent, runId, "a");
    await advance(t, runId);
    expect((await states(t, world, runId)).b).toBe("running");
  });

  test("project concurrency: the 21st step waits until one of 20 finishes", async () => {
    const { t, world } = await freshWorld();
    const agents = await addAgents(
      t,
      world,
      Array.from({ length: 10 }, (_, i) => `p${i}`),
    );
    const steps = Array.from({ length: 20 }, (_, i) => [
      `  s${i}:`,
      "    executor: external",
      `    agent: p${Math.floor(i / 2)}`,
      `    prompt: Do s${i}`,
    ]).flat();
    const runId = await run(
      t,
      world,
      yaml("name: Wide", "steps:", ...steps, ...step("last")),
    );
    const last = await stepRow(t, world, runId, "last");
    expect(last.state).toBe("waiting");
    expect(last.gate).toMatch(/^project concurrency: 20/);
    await complete(t, agents[0]!, runId, "s0");
    await advance(t, runId);
    expect((await stepRow(t, world, runId, "last")).state).toBe("running");
  });

  test("a run started before the bookkeeping existed is counted on its next advance", async () => {
    const { t, world } = await freshWorld();
    const workflowId = await save(
      t,
      world,
      yaml("name: Ship", "steps:", ...step("a"), ...step("b", "needs: a")),
    );
    // As an older version wrote a run: no positions, counts, specs or book.
    const runId = await t.run(async (ctx) => {
      const id = await ctx.db.insert("workflowRuns", {
        orgId: world.orgA,
        projectId: world.projectA,
        workflowId,
        name: "Ship",
        version: 1,
        status: "running",
        inputs: "{}",
        startedBy: world.a.member.userId,
        startedAt: Date.now(),
      });
      for (const [stepId, state] of [
        ["a", "succeeded"],
        ["b", "pending"],
      ] as const) {
        await ctx.db.insert("workflowSteps", {
          runId: id,
          projectId: world.projectA,
          stepId,
          state,
          attempt: state === "pending" ? 0 : 1,
          agentId: world.agent.agentId,
        });
      }
      return id;
    });
    await advance(t, runId);
    const b = await stepRow(t, world, runId, "b");
    expect(b).toMatchObject({ state: "running", order: 1, openNeeds: 0 });
    await complete(t, world.agent, runId, "b");
    await advance(t, runId);
    expect((await states(t, world, runId)).run).toBe("succeeded");
  });
});

/** A small deterministic PRNG (mulberry32), so a failing seed reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe("readiness against the reference rules", () => {
  // The interpreter counts open needs incrementally; workflowDag.ts states
  // the rules over whole runs. After every advance nothing may be left
  // ready, nothing may run before its needs, and the statuses must agree,
  // through failures under each policy and reruns.
  test.each([1, 2, 3, 4, 5, 6])("random DAG, seed %i", async (seed) => {
    const random = prng(seed);
    const { t, world } = await freshWorld();
    const names = Array.from({ length: 8 }, (_, i) => `q${i}`);
    const agents = await addAgents(t, world, names);
    const pick = <T>(weighted: [T, number][]): T => {
      let r = random();
      for (const [value, weight] of weighted) {
        if ((r -= weight) < 0) return value;
      }
      return weighted[0]![0];
    };
    const lines = Array.from({ length: 16 }, (_, i) => {
      const needs = Array.from({ length: Math.min(i, 4) }, (_, j) => i - 1 - j)
        .filter(() => random() < 0.45)
        .map((j) => `s${j}`);
      const policy = pick([
        ["continue", 0.5],
        ["skip_dependents", 0.3],
        ["fail_run", 0.2],
      ]);
      return [
        `  s${i}:`,
        "    executor: external",
        `    agent: q${i % names.length}`,
        `    prompt: Do s${i}`,
        `    on_failure: ${policy}`,
        ...(needs.length === 0 ? [] : [`    needs: [${needs.join(", ")}]`]),
      ];
    }).flat();
    const source = yaml("name: Random", "steps:", ...lines);
    const parsed = parseWorkflow(source);
    if (!parsed.ok) throw new Error("The random workflow does not parse.");
    const { definition } = parsed;
    const runId = await run(t, world, source);
    let reruns = 3;
    for (let turn = 0; turn < 60; turn += 1) {
      const { run: doc, steps } = await detail(t, world, runId);
      const stateOf = Object.fromEntries(steps.map((s) => [s.stepId, s.state]));
      expect(readySteps(definition, stateOf)).toEqual([]);
      expect(doc.status).toBe(runStatus(definition, stateOf));
      for (const step of definition.steps) {
        if (stateOf[step.id] !== "running") continue;
        for (const need of step.needs) {
          const policy = definition.steps.find((s) => s.id === need)?.onFailure;
          const state = stateOf[need];
          const satisfied =
            state === "succeeded" ||
            state === "skipped" ||
            (state === "failed" && policy === "continue");
          expect(satisfied, `${step.id} runs before ${need}`).toBe(true);
        }
      }
      const failed = steps.filter((s) => s.state === "failed");
      if (failed.length > 0 && reruns > 0 && random() < 0.4) {
        reruns -= 1;
        const again = failed[Math.floor(random() * failed.length)]!;
        await as(t, world.a.member).mutation(api.workflowRuns.rerunStep, {
          runId,
          stepId: again.stepId,
        });
      } else if (doc.status !== "running") {
        return;
      }
      for (const row of steps.filter((s) => s.state === "running")) {
        const agent = agents[Number(row.stepId.slice(1)) % names.length]!;
        await complete(
          t,
          agent,
          runId,
          row.stepId,
          random() < 0.75
            ? { status: "succeeded" }
            : { status: "failed", error: "no" },
        );
      }
      await advance(t, runId);
    }
    throw new Error("The run did not end.");
  });
});
