/**
 * Workflow runs: start, cancel, rerun a failed step, and watch them; plus the
 * internal interpreter (`advance`), the hook approvals call, and the
 * watchdog cron. Semantics: model/workflowRunAdvance.ts and workflowRunGates.ts.
 */
import { v } from "convex/values";
import { internalMutation } from "./_generated/server";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import {
  runFor,
  stepNodes,
  vFlatRecord,
  vStepNode,
} from "./model/workflowRunAccess";
import { advanceRun } from "./model/workflowRunAdvance";
import {
  approvalDecided as applyApprovalDecision,
  runWatchdog,
} from "./model/workflowRunHooks";
import {
  cancelRun,
  rerunStep as applyRerun,
  startRun,
} from "./model/workflowRunOps";
import schema from "./schema";

const EVENTS_SHOWN = 50;
const RUNS_LISTED = 50;
/** The most steps a definition may have (WORKFLOW_LIMITS.steps). */
const STEPS_SHOWN = 2_000;

const vRunDoc = schema.doc("workflowRuns");
const vStepDoc = schema.doc("workflowSteps");
const vEventDoc = schema.doc("workflowEvents");

export const start = tenantMutation({
  permission: "workflows:run",
  args: {
    workflowId: v.id("workflows"),
    inputs: v.optional(vFlatRecord),
  },
  returns: v.id("workflowRuns"),
  handler: async (ctx, { workflowId, inputs }) => {
    const workflow = await ctx.db.get("workflows", workflowId);
    if (workflow === null) fail("NOT_FOUND", "Workflow not found.");
    await ctx.access.project(workflow.projectId);
    return await startRun(ctx, ctx.access, workflow, inputs ?? {});
  },
});

export const cancel = tenantMutation({
  permission: "workflows:run",
  args: { runId: v.id("workflowRuns") },
  returns: v.null(),
  handler: async (ctx, { runId }) => {
    await cancelRun(ctx, ctx.access, await runFor(ctx, runId));
    return null;
  },
});

export const rerunStep = tenantMutation({
  permission: "workflows:run",
  args: { runId: v.id("workflowRuns"), stepId: v.string() },
  returns: v.null(),
  handler: async (ctx, { runId, stepId }) => {
    await applyRerun(ctx, ctx.access, await runFor(ctx, runId), stepId);
    return null;
  },
});

/**
 * The run, its graph as defined (in written order), every step's state
 * (gates show why a step waits) and the latest events, oldest first.
 */
export const get = tenantQuery({
  permission: "tasks:read",
  args: { runId: v.id("workflowRuns") },
  returns: v.object({
    run: vRunDoc,
    graph: v.array(vStepNode),
    steps: v.array(vStepDoc),
    events: v.array(vEventDoc),
  }),
  handler: async (ctx, { runId }) => {
    const run = await runFor(ctx, runId);
    const workflow = await ctx.db.get("workflows", run.workflowId);
    const graph = workflow === null ? [] : stepNodes(workflow);
    const steps = await ctx.db
      .query("workflowSteps")
      .withIndex("by_runId_stepId", (q) => q.eq("runId", runId))
      .take(STEPS_SHOWN);
    const events = await ctx.db
      .query("workflowEvents")
      .withIndex("by_runId_at", (q) => q.eq("runId", runId))
      .order("desc")
      .take(EVENTS_SHOWN);
    return { run, graph, steps, events: events.reverse() };
  },
});

/** The project's runs, newest first. */
export const list = tenantQuery({
  permission: "tasks:read",
  args: { projectId: v.id("projects") },
  returns: v.array(vRunDoc),
  handler: async (ctx, { projectId }) => {
    await ctx.access.project(projectId);
    return await ctx.db
      .query("workflowRuns")
      .withIndex("by_projectId_startedAt", (q) => q.eq("projectId", projectId))
      .order("desc")
      .take(RUNS_LISTED);
  },
});

/**
 * The interpreter: moves one run as far as it can go now. Scheduled at most
 * once at a time per run (model/workflowRunAdvances.ts); running it more
 * often is harmless.
 */
export const advance = internalMutation({
  args: { runId: v.id("workflowRuns") },
  returns: v.null(),
  handler: async (ctx, { runId }) => {
    await advanceRun(ctx, runId);
    return null;
  },
});

/** Scheduled by model/approvals.ts when an approval of kind workflow_step is decided. */
export const approvalDecided = internalMutation({
  args: { approvalId: v.id("approvals") },
  returns: v.null(),
  handler: async (ctx, { approvalId }) => {
    await applyApprovalDecision(ctx, approvalId);
    return null;
  },
});

/** The cron's pass: overdue steps fail (or retry); gated runs are re-checked. */
export const watchdog = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => await runWatchdog(ctx),
});
