/**
 * Budget periods: a "monthly" envelope counts usage from the start of the
 * current UTC month. The reset is done by an hourly cron, and also lazily
 * wherever an envelope is read for enforcement, so a late or missed cron run
 * (a laptop asleep at midnight) never keeps work stopped into a new month.
 */
import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { BudgetPeriod } from "../validators";
import { recordAudit } from "./audit";

/** Envelopes reset per cron transaction; a full batch schedules the next one. */
export const RESET_BATCH = 100;

/** Start (ms) of the UTC month containing `now`. */
export function monthStart(now: number): number {
  const date = new Date(now);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/** Envelopes from before periods existed behave as monthly. */
export function periodOf(budget: Doc<"budgets">): BudgetPeriod {
  return budget.period ?? "monthly";
}

/**
 * The start of the period `used*` counts. An envelope from before periods
 * existed began counting in the month it was created.
 */
export function periodStartOf(budget: Doc<"budgets">): number {
  return budget.periodStart ?? monthStart(budget._creationTime);
}

/** True when a monthly envelope's counts belong to an earlier month. */
export function isStale(budget: Doc<"budgets">, now: number): boolean {
  return (
    periodOf(budget) === "monthly" && periodStartOf(budget) < monthStart(now)
  );
}

/** What dispatch and thresholds see: a stale period counts as nothing used. */
export function currentUsage(
  budget: Doc<"budgets">,
  now: number,
): Doc<"budgets"> {
  if (!isStale(budget, now)) return budget;
  return {
    ...budget,
    usedTokens: 0,
    usedCostUsd: 0,
    warnedAt: undefined,
    exhaustedAt: undefined,
    raiseApprovalId: undefined,
  };
}

/**
 * Starts a new period for a stale envelope (counts and threshold marks
 * cleared, recorded as done by "system"); returns the envelope as it is now.
 * Idempotent: a current envelope is returned unchanged.
 */
export async function rollOver(
  ctx: MutationCtx,
  budget: Doc<"budgets">,
  now: number,
): Promise<Doc<"budgets">> {
  if (!isStale(budget, now)) return budget;
  const periodStart = monthStart(now);
  await ctx.db.patch("budgets", budget._id, {
    period: "monthly",
    periodStart,
    usedTokens: 0,
    usedCostUsd: 0,
    warnedAt: undefined,
    exhaustedAt: undefined,
    raiseApprovalId: undefined,
  });
  await recordAudit(ctx, "system", {
    orgId: budget.orgId,
    action: "budget.period_reset",
    entity: "budget",
    entityId: budget._id,
    before: {
      periodStart: periodStartOf(budget),
      usedTokens: budget.usedTokens,
      usedCostUsd: budget.usedCostUsd,
    },
    after: { periodStart, usedTokens: 0, usedCostUsd: 0 },
  });
  return (await ctx.db.get("budgets", budget._id))!;
}

/**
 * One cron batch: resets monthly envelopes whose period began before this
 * month, and gives envelopes from before periods existed their period
 * fields. Returns how many envelopes it touched; RESET_BATCH means "maybe more".
 */
export async function resetStalePeriods(
  ctx: MutationCtx,
  now: number,
): Promise<number> {
  const legacy = await ctx.db
    .query("budgets")
    .withIndex("by_period_periodStart", (q) => q.eq("period", undefined))
    .take(RESET_BATCH);
  for (const budget of legacy) {
    const current = await rollOver(ctx, budget, now);
    if (current.period === undefined) {
      // Still this month's counts: only record the period it already has.
      await ctx.db.patch("budgets", budget._id, {
        period: "monthly",
        periodStart: periodStartOf(budget),
      });
    }
  }
  if (legacy.length === RESET_BATCH) return legacy.length;
  const stale = await ctx.db
    .query("budgets")
    .withIndex("by_period_periodStart", (q) =>
      q.eq("period", "monthly").lt("periodStart", monthStart(now)),
    )
    .take(RESET_BATCH - legacy.length);
  for (const budget of stale) await rollOver(ctx, budget, now);
  return legacy.length + stale.length;
}
