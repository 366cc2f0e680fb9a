/**
 * The budget gate dispatchers call inside the mutation that dispatches, so a
 * refusal and the dispatch it prevents are one transaction: no work starts
 * on an envelope that is already spent, however many dispatchers race.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { describeUsage, envelopeName, isExhausted } from "./budgetLevels";
import { currentUsage } from "./budgetPeriods";

/** What a piece of work is charged to: every envelope of these covers it. */
export type BudgetCover = {
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
  agentId?: Id<"agents">;
  /** The workflow run the work belongs to. */
  runId?: Id<"workflowRuns">;
};

export type DispatchAllowance =
  { ok: true } | { ok: false; reason: string; budgetId: Id<"budgets"> };

/**
 * The envelopes covering `cover`, broadest first (org, project, agent, run),
 * read through (orgId, targetId) so an id string of another org can never
 * select or shadow this org's envelope.
 */
export async function coveringEnvelopes(
  ctx: QueryCtx,
  cover: BudgetCover,
): Promise<Doc<"budgets">[]> {
  const targets: string[] = [cover.orgId, cover.projectId];
  if (cover.agentId !== undefined) targets.push(cover.agentId);
  if (cover.runId !== undefined) targets.push(cover.runId);
  const found: Doc<"budgets">[] = [];
  for (const targetId of targets) {
    const budget = await ctx.db
      .query("budgets")
      .withIndex("by_orgId_targetId", (q) =>
        q.eq("orgId", cover.orgId).eq("targetId", targetId),
      )
      .unique();
    if (budget !== null) found.push(budget);
  }
  return found;
}

/**
 * Whether new work charged to `cover` may be dispatched now. Refuses when any
 * covering envelope has spent a limit (used >= limit) in its current period;
 * a monthly envelope whose period ended counts as fresh even before the
 * reset cron has run. Reads only, so a query may show the same answer.
 */
export async function dispatchAllowance(
  ctx: QueryCtx,
  cover: BudgetCover,
): Promise<DispatchAllowance> {
  const now = Date.now();
  for (const stored of await coveringEnvelopes(ctx, cover)) {
    const budget = currentUsage(stored, now);
    if (!isExhausted(budget)) continue;
    const minShare = 1;
    const asked =
      budget.raiseApprovalId !== undefined
        ? "approval requested"
        : "raise the limit to resume";
    return {
      ok: false,
      budgetId: budget._id,
      reason: `${envelopeName(budget)} is exhausted: ${describeUsage(budget, { minShare })}; ${asked}`,
    };
  }
  return { ok: true };
}
