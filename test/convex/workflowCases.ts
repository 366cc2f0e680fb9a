/**
 * permissions.test.ts cases for workflows: definitions (convex/workflows.ts),
 * runs (convex/workflowRuns.ts) and the agents' complete_step
 * (convex/agentWorkflows.ts). Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { parseWorkflow } from "../../convex/model/workflowYaml";
import {
  badType,
  defineCase,
  semantic,
  type PublicCase,
} from "./publicFunctionCases";
import { mustRead, type Backend, type World } from "./world";

export const SHIP_YAML = `name: Ship
steps:
  build:
    executor: external
    agent: agent-a
    prompt: Build it
`;

/** A saved workflow of project A (version 1 of SHIP_YAML unless told). */
export async function insertWorkflow(
  t: Backend,
  world: World,
  source = SHIP_YAML,
): Promise<Id<"workflows">> {
  const parsed = parseWorkflow(source);
  if (!parsed.ok) throw new Error("The test workflow does not parse.");
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("workflows", {
        orgId: world.orgA,
        projectId: world.projectA,
        name: parsed.definition.name,
        version: 1,
        source,
        definition: JSON.stringify(parsed.definition),
        createdBy: world.a.owner.userId,
        createdAt: Date.now(),
      }),
  );
}

type StepFields = Partial<
  Omit<Doc<"workflowSteps">, "_id" | "_creationTime" | "runId" | "projectId">
>;

/** A run of SHIP_YAML whose one step ("build", org A's agent) has `step`. */
export async function insertRun(
  t: Backend,
  world: World,
  step: StepFields = {},
  status: Doc<"workflowRuns">["status"] = "running",
): Promise<Id<"workflowRuns">> {
  const workflowId = await insertWorkflow(t, world);
  return await t.run(async (ctx) => {
    const runId = await ctx.db.insert("workflowRuns", {
      orgId: world.orgA,
      projectId: world.projectA,
      workflowId,
      name: "Ship",
      version: 1,
      status,
      inputs: "{}",
      startedBy: world.a.owner.userId,
      startedAt: Date.now(),
    });
    await ctx.db.insert("workflowSteps", {
      runId,
      projectId: world.projectA,
      stepId: "build",
      state: "pending",
      attempt: 0,
      agentId: world.agent.agentId,
      ...step,
    });
    return runId;
  });
}

/** The run's first step row (SHIP_YAML runs have one). */
export async function stepOf(t: Backend, runId: Id<"workflowRuns">) {
  const steps = await t.run(
    async (ctx) =>
      await ctx.db
        .query("workflowSteps")
        .withIndex("by_runId_stepId", (q) => q.eq("runId", runId))
        .collect(),
  );
  return steps[0];
}

export const WORKFLOW_CASES: readonly PublicCase[] = [
  defineCase(api.workflows.save, {
    permission: "workflows:manage",
    min: "member",
    setup: (_t, world) => ({ projectId: world.projectA, source: SHIP_YAML }),
    invalid: (_world, args) => semantic({ ...args, source: "name: [\n" }),
    check: async (workflowId, { t }) => {
      const workflow = await mustRead(t, "workflows", workflowId);
      expect(workflow).toMatchObject({ name: "Ship", version: 1 });
    },
  }),
  defineCase(api.workflows.list, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertWorkflow(t, world);
      return { projectId: world.projectA };
    },
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (workflows) => {
      expect(workflows.map((w) => [w.name, w.version])).toEqual([["Ship", 1]]);
    },
  }),
  defineCase(api.workflows.get, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => ({
      workflowId: await insertWorkflow(t, world),
    }),
    invalid: (world) => badType({ workflowId: world.projectA }),
    check: (workflow) => {
      expect(workflow.source).toBe(SHIP_YAML);
    },
  }),
  defineCase(api.workflowRuns.start, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({
      workflowId: await insertWorkflow(t, world),
    }),
    invalid: (_world, args) => semantic({ ...args, inputs: { nope: 1 } }),
    check: async (runId, { t }) => {
      expect((await mustRead(t, "workflowRuns", runId)).status).toBe("running");
      expect((await stepOf(t, runId))?.state).toBe("pending");
    },
  }),
  defineCase(api.workflowRuns.cancel, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({ runId: await insertRun(t, world) }),
    invalid: (world) => badType({ runId: world.projectA }),
    check: async (_result, { t, args }) => {
      expect((await mustRead(t, "workflowRuns", args.runId)).status).toBe(
        "cancelled",
      );
      expect((await stepOf(t, args.runId))?.state).toBe("skipped");
    },
  }),
  defineCase(api.workflowRuns.rerunStep, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({
      runId: await insertRun(
        t,
        world,
        { state: "failed", attempt: 1, error: "boom" },
        "failed",
      ),
      stepId: "build",
    }),
    invalid: (_world, args) => ({
      args: { ...args, stepId: "nope" },
      expect: "NOT_FOUND",
    }),
    check: async (_result, { t, args }) => {
      expect((await mustRead(t, "workflowRuns", args.runId)).status).toBe(
        "running",
      );
      expect(await stepOf(t, args.runId)).toMatchObject({
        state: "pending",
        attempt: 0,
      });
    },
  }),
  defineCase(api.workflowRuns.get, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => ({ runId: await insertRun(t, world) }),
    invalid: (world) => badType({ runId: world.projectA }),
    check: (detail, { args }) => {
      expect(detail.run._id).toBe(args.runId);
      expect(detail.graph).toEqual([
        {
          id: "build",
          needs: [],
          executor: "external",
          agent: "agent-a",
          maxRetries: 0,
        },
      ]);
      expect(detail.steps.map((step) => step.stepId)).toEqual(["build"]);
    },
  }),
  defineCase(api.workflowRuns.list, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertRun(t, world);
      return { projectId: world.projectA };
    },
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (runs) => {
      expect(runs.map((run) => run.name)).toEqual(["Ship"]);
    },
  }),
  defineCase(api.agentWorkflows.completeStep, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({
      runId: await insertRun(t, world, {
        state: "running",
        attempt: 1,
        startedAt: Date.now(),
        deadlineAt: Date.now() + 60_000,
      }),
      stepId: "build",
      status: "succeeded" as const,
      output: { url: "https://example.com/build/1" },
    }),
    invalid: (_world, args) => badType({ ...args, status: "done" }),
    check: async (_result, { t, args }) => {
      const step = await stepOf(t, args.runId);
      expect(step?.state).toBe("succeeded");
      expect(JSON.parse(step?.output ?? "null")).toEqual(args.output);
    },
  }),
];
