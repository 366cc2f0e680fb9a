/**
 * Usage reports and the budget envelopes they count against. An envelope
 * bounds one org, project or agent; each report adds to every envelope that
 * covers it, so what is left is read from one document per envelope.
 * Enforcement (gating dispatch, approvals at thresholds) is issue 7's.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { BudgetScope } from "../validators";
import type { Access } from "./access";
import { defaultTask, requireSameProject } from "./agentScope";
import { actorOf, recordAudit } from "./audit";
import { requireRange, requireText } from "./checks";
import { fail } from "./errors";
import type { Principal } from "./principals";

const MAX_TOKENS_PER_REPORT = 1e9;
const MAX_COST_PER_REPORT_USD = 1e6;
const MAX_LIMIT = 1e15;

/** The envelopes covering work in `project` by `principal`: org, project, agent. */
export async function envelopesFor(
  ctx: QueryCtx,
  project: Doc<"projects">,
  principal: Principal,
): Promise<Doc<"budgets">[]> {
  const targets: string[] = [project.orgId, project._id];
  if (principal.kind === "agent") targets.push(principal.id);
  const found: Doc<"budgets">[] = [];
  for (const targetId of targets) {
    const budget = await ctx.db
      .query("budgets")
      .withIndex("by_targetId", (q) => q.eq("targetId", targetId))
      .first();
    if (budget !== null) found.push(budget);
  }
  return found;
}

export type UsageReport = {
  taskId?: Id<"tasks">;
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
  model?: string;
};

export async function recordUsage(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  report: UsageReport,
): Promise<{
  recordId: Id<"usageRecords">;
  taskId: Id<"tasks"> | undefined;
  budgets: Doc<"budgets">[];
}> {
  const inputTokens = requireWholeTokens("inputTokens", report.inputTokens);
  const outputTokens = requireWholeTokens("outputTokens", report.outputTokens);
  const costUsd = requireRange(
    "costUsd",
    report.costUsd ?? 0,
    0,
    MAX_COST_PER_REPORT_USD,
  );
  const principalId = access.principal.id;
  let taskId = report.taskId;
  if (taskId !== undefined) {
    const task = await ctx.db.get("tasks", taskId);
    if (task === null) fail("NOT_FOUND", "Task not found.");
    requireSameProject(task, project._id);
  } else {
    taskId = (await defaultTask(ctx, project._id, principalId))?._id;
  }
  const now = Date.now();
  const recordId = await ctx.db.insert("usageRecords", {
    orgId: project.orgId,
    projectId: project._id,
    taskId,
    principalId,
    inputTokens,
    outputTokens,
    costUsd,
    model:
      report.model === undefined
        ? undefined
        : requireText("model", report.model, 100),
    at: now,
  });
  const budgets: Doc<"budgets">[] = [];
  for (const budget of await envelopesFor(ctx, project, access.principal)) {
    await ctx.db.patch("budgets", budget._id, {
      usedTokens: budget.usedTokens + inputTokens + outputTokens,
      usedCostUsd: budget.usedCostUsd + costUsd,
    });
    budgets.push((await ctx.db.get("budgets", budget._id))!);
  }
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: "usage.report",
    entity: "usage",
    entityId: recordId,
    after: { taskId: taskId ?? null, inputTokens, outputTokens, costUsd },
  });
  return { recordId, taskId, budgets };
}

function requireWholeTokens(field: string, value: number): number {
  if (!Number.isInteger(value)) {
    fail("INVALID_ARGUMENT", `${field} must be a whole number of tokens.`);
  }
  return requireRange(field, value, 0, MAX_TOKENS_PER_REPORT);
}

export type BudgetInput = {
  scope: BudgetScope;
  projectId?: Id<"projects">;
  agentId?: Id<"agents">;
  limitTokens?: number;
  limitCostUsd?: number;
};

/** Creates or changes the one envelope of a target; what was used so far is kept. */
export async function setBudget(
  ctx: MutationCtx,
  access: Access,
  orgId: Id<"orgs">,
  input: BudgetInput,
): Promise<Id<"budgets">> {
  if (access.principal.kind !== "user") {
    fail("FORBIDDEN", "Only people set budgets.");
  }
  const targetId = await budgetTarget(ctx, access, orgId, input);
  const limits = {
    limitTokens:
      input.limitTokens === undefined
        ? undefined
        : requireRange("limitTokens", input.limitTokens, 0, MAX_LIMIT),
    limitCostUsd:
      input.limitCostUsd === undefined
        ? undefined
        : requireRange("limitCostUsd", input.limitCostUsd, 0, MAX_LIMIT),
  };
  const existing = await ctx.db
    .query("budgets")
    .withIndex("by_targetId", (q) => q.eq("targetId", targetId))
    .first();
  const stamp = { updatedBy: access.principal.id, updatedAt: Date.now() };
  const budgetId =
    existing === null
      ? await ctx.db.insert("budgets", {
          orgId,
          scope: input.scope,
          targetId,
          ...limits,
          usedTokens: 0,
          usedCostUsd: 0,
          ...stamp,
        })
      : existing._id;
  if (existing !== null) {
    await ctx.db.patch("budgets", budgetId, { ...limits, ...stamp });
  }
  await recordAudit(ctx, actorOf(access), {
    orgId,
    action: "budget.set",
    entity: "budget",
    entityId: budgetId,
    before:
      existing === null
        ? undefined
        : {
            limitTokens: existing.limitTokens ?? null,
            limitCostUsd: existing.limitCostUsd ?? null,
          },
    after: {
      scope: input.scope,
      targetId,
      limitTokens: limits.limitTokens ?? null,
      limitCostUsd: limits.limitCostUsd ?? null,
    },
  });
  return budgetId;
}

/** The id an envelope is keyed by, checked to belong to `orgId`. */
async function budgetTarget(
  ctx: QueryCtx,
  access: Access,
  orgId: Id<"orgs">,
  { scope, projectId, agentId }: BudgetInput,
): Promise<string> {
  const named =
    (projectId === undefined ? 0 : 1) + (agentId === undefined ? 0 : 1);
  if (scope === "org") {
    if (named > 0) {
      fail("INVALID_ARGUMENT", 'An "org" budget names no project or agent.');
    }
    return orgId;
  }
  if (scope === "project") {
    if (projectId === undefined || agentId !== undefined) {
      fail("INVALID_ARGUMENT", 'A "project" budget needs projectId (only).');
    }
    const { project } = await access.project(projectId);
    if (project.orgId !== orgId) {
      fail("INVALID_ARGUMENT", "The project belongs to another org.");
    }
    return projectId;
  }
  if (agentId === undefined || projectId !== undefined) {
    fail("INVALID_ARGUMENT", 'An "agent" budget needs agentId (only).');
  }
  const agent = await ctx.db.get("agents", agentId);
  if (agent === null || agent.orgId !== orgId) {
    fail("INVALID_ARGUMENT", "The agent belongs to another org.");
  }
  return agentId;
}
