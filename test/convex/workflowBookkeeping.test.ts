/**
 * The interpreter's bookkeeping: step tasks opened and closed, advances
 * coalesced per run, open-needs counts kept through reruns and retries, old
 * runs upgraded; and seeded random DAGs checked after every advance against
 * workflowDag.ts's rules over whole runs.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { readySteps, runStatus } from "../../convex/model/workflowDag";
import { parseWorkflow } from "../../convex/model/workflowYaml";
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
