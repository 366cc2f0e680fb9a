/**
 * People set budget envelopes. Raising a limit is also how an exhausted
 * envelope is reopened: the "budget_raise" approval only records a decision,
 * and the new limit clears the threshold marks it is now below, so dispatch
 * resumes in the same transaction.
 */
import type { Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { BudgetPeriod, BudgetScope } from "../validators";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { isExhausted, isWarned } from "./budgetLevels";
import { monthStart, periodOf, rollOver } from "./budgetPeriods";
import { requireRange } from "./checks";
import { fail } from "./errors";

const MAX_LIMIT = 1e15;

export type BudgetInput = {
  scope: BudgetScope;
  projectId?: Id<"projects">;
  agentId?: Id<"agents">;
  /** For scope "run": the workflow run. */
  runId?: Id<"workflowRuns">;
  limitTokens?: number;
  limitCostUsd?: number;
  /** New envelopes default to "monthly"; left out, an existing one keeps its own. */
  period?: BudgetPeriod;
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
  const now = Date.now();
  const found = await ctx.db
    .query("budgets")
    .withIndex("by_orgId_targetId", (q) =>
      q.eq("orgId", orgId).eq("targetId", targetId),
    )
    .unique();
  if (found !== null && found.scope !== input.scope) {
    fail("INVALID_ARGUMENT", `That id already has a "${found.scope}" budget.`);
  }
  // Limits apply to the current period's counts, not last month's.
  const existing = found === null ? null : await rollOver(ctx, found, now);
  const stamp = { updatedBy: access.principal.id, updatedAt: now };
  let budgetId: Id<"budgets">;
  if (existing === null) {
    budgetId = await ctx.db.insert("budgets", {
      orgId,
      scope: input.scope,
      targetId,
      ...limits,
      usedTokens: 0,
      usedCostUsd: 0,
      period: input.period ?? "monthly",
      periodStart: monthStart(now),
      ...stamp,
    });
  } else {
    budgetId = existing._id;
    const period = input.period ?? periodOf(existing);
    const changed = { ...existing, ...limits, period };
    await ctx.db.patch("budgets", budgetId, {
      ...limits,
      period,
      // Switching to monthly counts what was used so far as this month's.
      periodStart:
        period === periodOf(existing) && existing.periodStart !== undefined
          ? existing.periodStart
          : monthStart(now),
      // Below a threshold again (a raise): the next crossing is announced anew.
      ...(isExhausted(changed)
        ? {}
        : { exhaustedAt: undefined, raiseApprovalId: undefined }),
      ...(isWarned(changed) ? {} : { warnedAt: undefined }),
      ...stamp,
    });
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
            period: periodOf(existing),
          },
    after: {
      scope: input.scope,
      targetId,
      limitTokens: limits.limitTokens ?? null,
      limitCostUsd: limits.limitCostUsd ?? null,
      period:
        input.period ?? (existing === null ? "monthly" : periodOf(existing)),
    },
  });
  return budgetId;
}

/** The id an envelope is keyed by, checked to belong to `orgId`. */
async function budgetTarget(
  ctx: QueryCtx,
  access: Access,
  orgId: Id<"orgs">,
  { scope, projectId, agentId, runId }: BudgetInput,
): Promise<string> {
  const named = [projectId, agentId, runId].filter(
    (id) => id !== undefined,
  ).length;
  if (scope === "org") {
    if (named > 0) {
      fail(
        "INVALID_ARGUMENT",
        'An "org" budget names no project, agent or run.',
      );
    }
    return orgId;
  }
  if (scope === "project") {
    if (projectId === undefined || named !== 1) {
      fail("INVALID_ARGUMENT", 'A "project" budget needs projectId (only).');
    }
    const { project } = await access.project(projectId);
    if (project.orgId !== orgId) {
      fail("INVALID_ARGUMENT", "The project belongs to another org.");
    }
    return projectId;
  }
  if (scope === "run") {
    if (runId === undefined || named !== 1) {
      fail("INVALID_ARGUMENT", 'A "run" budget needs runId (only).');
    }
    const run = await ctx.db.get("workflowRuns", runId);
    if (run === null) fail("NOT_FOUND", "Workflow run not found.");
    await access.project(run.projectId);
    if (run.orgId !== orgId) {
      fail("INVALID_ARGUMENT", "The workflow run belongs to another org.");
    }
    return runId;
  }
  if (agentId === undefined || named !== 1) {
    fail("INVALID_ARGUMENT", 'An "agent" budget needs agentId (only).');
  }
  const agent = await ctx.db.get("agents", agentId);
  if (agent === null || agent.orgId !== orgId) {
    fail("INVALID_ARGUMENT", "The agent belongs to another org.");
  }
  return agentId;
}
