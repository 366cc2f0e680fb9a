/**
 * Workflow runs end to end in the control plane: saving definitions, the
 * interpreter (conditions, templates, outputs), retries and failure
 * policies. Gates, the watchdog, rerun and cancel: workflowGates.test.ts;
 * the interpreter's bookkeeping: workflowBookkeeping.test.ts. Helpers:
 * workflowRunSupport.ts.
 */
import { describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { errorCode } from "../../convex/model/errors";
import { expectCode, settle } from "./expectCode";
import {
  T0,
  yaml,
  step,
  save,
  run,
  advance,
  runScheduled,
  detail,
  states,
  stepRow,
  complete,
} from "./workflowRunSupport";
import { addAgents, as, freshWorld, mustRead, useFakeClock } from "./world";

useFakeClock(T0);

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
