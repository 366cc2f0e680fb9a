/**
 * How full a budget envelope is, and how to say so to people and agents:
 * "1.02M of 1M tokens used this month". Tokens and money are independent
 * limits; an envelope is as full as its fuller one.
 */
import type { Doc } from "../_generated/dataModel";
import type { BudgetScope } from "../validators";
import { periodOf } from "./budgetPeriods";

/** At this share of a limit people are told; at 1 dispatch stops. */
export const WARN_AT = 0.8;

type Dimension = "tokens" | "money";

type DimensionLevel = {
  dimension: Dimension;
  used: number;
  limit: number;
  /** used / limit; a zero limit is full from the start. */
  share: number;
};

function levels(budget: Doc<"budgets">): DimensionLevel[] {
  const out: DimensionLevel[] = [];
  const add = (dimension: Dimension, used: number, limit?: number) => {
    if (limit === undefined) return;
    const share = limit > 0 ? used / limit : Infinity;
    out.push({ dimension, used, limit, share });
  };
  add("tokens", budget.usedTokens, budget.limitTokens);
  add("money", budget.usedCostUsd, budget.limitCostUsd);
  return out;
}

/** The fuller of the envelope's limits; 0 when it sets none. */
export function shareUsed(budget: Doc<"budgets">): number {
  return Math.max(0, ...levels(budget).map((level) => level.share));
}

/** Spent every unit of some limit (used >= limit). */
export function isExhausted(budget: Doc<"budgets">): boolean {
  return levels(budget).some((level) => level.used >= level.limit);
}

export function isWarned(budget: Doc<"budgets">): boolean {
  return shareUsed(budget) >= WARN_AT;
}

const SCOPE_NAME: Record<BudgetScope, string> = {
  org: "org",
  project: "project",
  agent: "agent",
  run: "run",
};

export function envelopeName(budget: Doc<"budgets">): string {
  return `The ${SCOPE_NAME[budget.scope]} budget`;
}

/** "1.02M of 1M tokens used this month, 0 left" for the limits at or above `minShare`. */
export function describeUsage(
  budget: Doc<"budgets">,
  options: { minShare?: number; withLeft?: boolean } = {},
): string {
  const when = periodOf(budget) === "monthly" ? " this month" : "";
  const shown = levels(budget).filter(
    (level) => level.share >= (options.minShare ?? 0),
  );
  return shown
    .map((level) => {
      const amount =
        level.dimension === "tokens"
          ? `${compact(level.used)} of ${compact(level.limit)} tokens`
          : `${dollars(level.used)} of ${dollars(level.limit)}`;
      const left = Math.max(0, level.limit - level.used);
      const leftText = !options.withLeft
        ? ""
        : level.dimension === "tokens"
          ? `, ${compact(left)} tokens left`
          : `, ${dollars(left)} left`;
      return `${amount} used${when}${leftText}`;
    })
    .join("; ");
}

/** "Raise the project budget (100% of $50 used)": names the fullest limit. */
export function raiseSummary(budget: Doc<"budgets">): string {
  const fullest = [...levels(budget)].sort((a, b) => b.share - a.share)[0];
  const name = envelopeName(budget).replace(/^The /, "the ");
  if (fullest === undefined) return `Raise ${name}`;
  const percent = Number.isFinite(fullest.share)
    ? Math.floor(fullest.share * 100)
    : 100;
  const limit =
    fullest.dimension === "tokens"
      ? `${compact(fullest.limit)} tokens`
      : dollars(fullest.limit);
  return `Raise ${name} (${percent}% of ${limit} used)`;
}

/** 1234 -> "1.23k", 1_020_000 -> "1.02M": three significant digits. */
export function compact(value: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (value >= size)
      return `${Number((value / size).toPrecision(3))}${suffix}`;
  }
  return `${Number(value.toPrecision(3))}`;
}

export function dollars(value: number): string {
  return `$${value.toFixed(2)}`;
}

/** Dollars to the cent, but a real spend below a cent is not shown as "$0.00". */
export function spendText(usd: number): string {
  return usd > 0 && usd < 0.01 ? "<$0.01" : dollars(usd);
}

/**
 * "12.3k tokens · $0.42"; empty when nothing was spent yet. One wording for the
 * Runs view, the run panel and the thread's session bar.
 */
export function usageText(tokens?: number, costUsd?: number): string {
  const parts: string[] = [];
  if (tokens !== undefined && tokens > 0)
    parts.push(`${compact(tokens)} tokens`);
  if (costUsd !== undefined && costUsd > 0) parts.push(spendText(costUsd));
  return parts.join(" · ");
}
