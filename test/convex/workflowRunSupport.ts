/**
 * What the workflow run tests share: definitions in a line or two of YAML,
 * saving and starting them, driving the interpreter (`advance`, or the
 * harness's scheduler with `runScheduled`), reading steps back, and an
 * agent's complete_step.
 */
import { vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { as, type AgentActor, type Backend, type World } from "./world";

/** The fake clock's start for these tests (each file calls useFakeClock(T0)). */
export const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

export const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

/** An external step of agent-a (world.agent). */
export const step = (id: string, ...extra: string[]) => [
  `  ${id}:`,
  "    executor: external",
  "    agent: agent-a",
  `    prompt: Do ${id}`,
  ...extra.map((line) => `    ${line}`),
];

export async function save(t: Backend, world: World, source: string) {
  return await as(t, world.a.member).mutation(api.workflows.save, {
    projectId: world.projectA,
    source,
  });
}

export async function run(
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

export async function advance(t: Backend, runId: Id<"workflowRuns">) {
  await t.mutation(internal.workflowRuns.advance, { runId });
}

export async function runScheduled(t: Backend): Promise<void> {
  await t.finishAllScheduledFunctions(vi.runAllTimers);
}

export async function detail(
  t: Backend,
  world: World,
  runId: Id<"workflowRuns">,
) {
  return await as(t, world.a.viewer).query(api.workflowRuns.get, { runId });
}

export async function states(
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

export async function stepRow(
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

export async function complete(
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
