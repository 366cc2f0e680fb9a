/**
 * A workflow run survives its backend being killed: the local backend runs as
 * a process, a two-step run is started, the first step's agent finishes it,
 * the process is killed with SIGKILL, started again on the same data
 * directory, and the run carries on from its last committed state — the
 * second step starts (its task is created for the agent) and the run
 * completes once that step is finished too.
 */
import { afterAll, expect, test } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { exchangeSecret } from "../../../mcp-server/tokens";
import { newAgent, startOwnerWorld } from "../../support/ownerWorld";
import { waitFor } from "../local-backend/backendProcess";

const world = await startOwnerWorld();
afterAll(async () => {
  await world.backend.dispose();
});

const DEFINITION = `
name: Two steps
steps:
  first:
    executor: external
    agent: restart-agent
    prompt: "Do the first thing"
  second:
    executor: external
    agent: restart-agent
    needs: first
    prompt: "Then the second"
`;

async function agentClient(secret: string) {
  const { token } = await exchangeSecret(
    world.backend.siteUrl,
    secret,
    "the test backend",
    10_000,
  );
  return world.backend.httpClient(token);
}

async function stepState(runId: Id<"workflowRuns">, stepId: string) {
  const run = await world.owner.query(api.workflowRuns.get, { runId });
  return run.steps.find((step) => step.stepId === stepId)?.state;
}

test("a run resumes from its last committed state after kill -9", async () => {
  const agent = await newAgent(world, "restart-agent");
  const workflowId = await world.owner.mutation(api.workflows.save, {
    projectId: world.projectId,
    source: DEFINITION,
  });
  const runId = await world.owner.mutation(api.workflowRuns.start, {
    workflowId,
  });
  await waitFor(
    async () => (await stepState(runId, "first")) === "running",
    20_000,
    "the first step running",
  );

  await (
    await agentClient(agent.secret)
  ).mutation(api.agentWorkflows.completeStep, {
    runId,
    stepId: "first",
    status: "succeeded",
    output: { n: 1 },
  });
  // Killed at once: the scheduled advance may or may not have run yet.
  await world.backend.kill();
  await world.backend.restart({ samePorts: true });

  await waitFor(
    async () => (await stepState(runId, "second")) === "running",
    30_000,
    "the second step running after the restart",
  );
  await (
    await agentClient(agent.secret)
  ).mutation(api.agentWorkflows.completeStep, {
    runId,
    stepId: "second",
    status: "succeeded",
  });
  await waitFor(
    async () =>
      (await world.owner.query(api.workflowRuns.get, { runId })).run.status ===
      "succeeded",
    20_000,
    "the run to succeed",
  );
  const { steps } = await world.owner.query(api.workflowRuns.get, { runId });
  expect(steps.map((step) => [step.stepId, step.state])).toEqual([
    ["first", "succeeded"],
    ["second", "succeeded"],
  ]);
});
