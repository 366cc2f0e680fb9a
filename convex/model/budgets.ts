/**
 * Usage reports and the budget envelopes they count against. An envelope
 * bounds one org, project, agent or workflow run; each report adds to every
 * envelope that covers it, so what is left is read from one document per
 * envelope. Reports are never refused (the tokens are already spent);
 * crossing 80% or 100% is announced (budgetAlerts.ts) and dispatch of new
 * work is refused by the gate (budgetGate.ts).
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Access } from "./access";
import { defaultTask, requireSameProject } from "./agentScope";
import { actorOf, recordAudit } from "./audit";
import { noticeThresholds } from "./budgetAlerts";
import { coveringEnvelopes } from "./budgetGate";
import { rollOver } from "./budgetPeriods";
import { requireRange, requireText } from "./checks";
import { fail } from "./errors";
import type { Principal } from "./principals";
import { addRunUsage, runUsageTarget } from "./runUsage";

export { dispatchAllowance, type DispatchAllowance } from "./budgetGate";
export { setBudget, type BudgetInput } from "./budgetSettings";

const MAX_TOKENS_PER_REPORT = 1e9;
const MAX_COST_PER_REPORT_USD = 1e6;

/** The envelopes covering work in `project` by `principal`: org, project, agent, run. */
export async function envelopesFor(
  ctx: QueryCtx,
  project: Doc<"projects">,
  principal: Principal,
  runId?: Id<"workflowRuns">,
): Promise<Doc<"budgets">[]> {
  return await coveringEnvelopes(ctx, {
    orgId: project.orgId,
    projectId: project._id,
    agentId: principal.kind === "agent" ? principal.id : undefined,
    runId,
  });
}

export type UsageReport = {
  taskId?: Id<"tasks">;
  /** The workflow run and step the usage belongs to (native agents name them). */
  runId?: Id<"workflowRuns">;
  stepId?: string;
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
  // Named by a native agent, or found from the step task reported on.
  const runTarget = await runUsageTarget(ctx, project._id, {
    runId: report.runId,
    stepId: report.stepId,
    taskId,
  });
  if (runTarget !== null) {
    await addRunUsage(ctx, runTarget, inputTokens + outputTokens, costUsd);
  }
  const envelopes = await envelopesFor(
    ctx,
    project,
    access.principal,
    runTarget?.run._id,
  );
  const budgets: Doc<"budgets">[] = [];
  for (const stored of envelopes) {
    // Usage in a new month counts against the new period, cron or not.
    const budget = await rollOver(ctx, stored, now);
    await ctx.db.patch("budgets", budget._id, {
      usedTokens: budget.usedTokens + inputTokens + outputTokens,
      usedCostUsd: budget.usedCostUsd + costUsd,
    });
    const counted = (await ctx.db.get("budgets", budget._id))!;
    budgets.push(await noticeThresholds(ctx, access, project, counted));
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
