/**
 * The budgets chart as data: one row per envelope, one bar per limit it
 * sets (tokens, dollars), how full each bar is (clamped to its track, the
 * real share in words), the line the server warns at, and whose envelope it
 * is in names. Thresholds and number formats are the server's own
 * (convex/model/budgetLevels.ts), so the chart and the notices agree.
 */
import { compact, dollars, WARN_AT } from "../../convex/model/budgetLevels";
import type { BudgetView } from "../../convex/model/views";
import type { BudgetPeriod, BudgetScope } from "../../convex/validators";

export type Level = "ok" | "warned" | "exhausted";
export type Dimension = "tokens" | "usd";

/** Where the warning line sits on every bar, in percent of the limit. */
export const WARN_PERCENT = WARN_AT * 100;

export interface BarModel {
  readonly dimension: Dimension;
  readonly used: number;
  readonly limit: number;
  /** used / limit; a zero limit is full from the start, as the server counts it. */
  readonly share: number;
  /** Width of the fill in percent of the track: 0 to 100, never past the end. */
  readonly fillPercent: number;
  /** The real share, which can be past 100%. */
  readonly percentText: string;
  readonly level: Level;
  /** "1.2k of 10k tokens", "$4.20 of $50.00". */
  readonly text: string;
  /** "over by 2k tokens" once the spend passed the limit. */
  readonly overText?: string;
}

export interface EnvelopeRow {
  readonly id: string;
  readonly scope: BudgetScope;
  readonly name: string;
  readonly periodText: string;
  readonly level: Level;
  readonly bars: readonly BarModel[];
  /** The envelope sets no limit: what it counted, without a bar. */
  readonly unlimitedText?: string;
}

export function levelOf(share: number): Level {
  if (share >= 1) return "exhausted";
  return share >= WARN_AT ? "warned" : "ok";
}

function amount(dimension: Dimension, value: number): string {
  return dimension === "tokens" ? `${compact(value)} tokens` : dollars(value);
}

export function barModel(
  dimension: Dimension,
  used: number,
  limit: number,
): BarModel {
  const share = limit > 0 ? used / limit : Infinity;
  const fillPercent = Math.min(100, Math.max(0, share * 100));
  const text =
    dimension === "tokens"
      ? `${compact(used)} of ${compact(limit)} tokens`
      : `${dollars(used)} of ${dollars(limit)}`;
  return {
    dimension,
    used,
    limit,
    share,
    fillPercent,
    percentText: Number.isFinite(share)
      ? `${Math.floor(share * 100)}%`
      : "100%",
    level: levelOf(share),
    text,
    ...(used > limit
      ? { overText: `over by ${amount(dimension, used - limit)}` }
      : {}),
  };
}

/** Names for the ids envelopes are set on; any may be missing (no access, not loaded). */
export interface TargetNames {
  readonly org?: string;
  readonly projects: ReadonlyMap<string, string>;
  readonly agents: ReadonlyMap<string, string>;
  readonly runs: ReadonlyMap<string, string>;
}

export const SCOPE_ORDER: readonly BudgetScope[] = [
  "org",
  "project",
  "agent",
  "run",
];

export const SCOPE_TITLES: Readonly<Record<BudgetScope, string>> = {
  org: "Org",
  project: "Projects",
  agent: "Agents",
  run: "Workflow runs",
};

export function targetName(
  scope: BudgetScope,
  targetId: string,
  names: TargetNames,
): string {
  const short = targetId.slice(-6);
  switch (scope) {
    case "org":
      return names.org ?? "The org";
    case "project":
      return names.projects.get(targetId) ?? `Project …${short}`;
    case "agent":
      return names.agents.get(targetId) ?? `Agent …${short}`;
    case "run":
      // Only this project's newest runs are loaded for names.
      return names.runs.get(targetId) ?? `Run …${short}`;
  }
}

export function periodText(period: BudgetPeriod): string {
  return period === "monthly" ? "this month" : "no period";
}

export function envelopeRow(
  budget: BudgetView,
  names: TargetNames,
): EnvelopeRow {
  const bars: BarModel[] = [];
  if (budget.limitTokens !== undefined) {
    bars.push(barModel("tokens", budget.usedTokens, budget.limitTokens));
  }
  if (budget.limitCostUsd !== undefined) {
    bars.push(barModel("usd", budget.usedCostUsd, budget.limitCostUsd));
  }
  return {
    id: budget.id,
    scope: budget.scope,
    name: targetName(budget.scope, budget.targetId, names),
    periodText: periodText(budget.period),
    // The server's flags decide: they are what enforcement uses.
    level: budget.exhausted ? "exhausted" : budget.warned ? "warned" : "ok",
    bars,
    ...(bars.length === 0
      ? {
          unlimitedText: `No limit set; ${amount("tokens", budget.usedTokens)} and ${dollars(budget.usedCostUsd)} counted`,
        }
      : {}),
  };
}

/** Rows grouped by scope (org, projects, agents, runs), by name within one. */
export function chartRows(
  budgets: readonly BudgetView[],
  names: TargetNames,
): EnvelopeRow[] {
  return budgets
    .map((budget) => envelopeRow(budget, names))
    .sort(
      (a, b) =>
        SCOPE_ORDER.indexOf(a.scope) - SCOPE_ORDER.indexOf(b.scope) ||
        a.name.localeCompare(b.name),
    );
}

/** "2 exhausted · 1 past 80%", or "" when every envelope is fine. */
export function chartSummary(rows: readonly EnvelopeRow[]): string {
  const exhausted = rows.filter((row) => row.level === "exhausted").length;
  const warned = rows.filter((row) => row.level === "warned").length;
  const parts: string[] = [];
  if (exhausted > 0) parts.push(`${exhausted} exhausted`);
  if (warned > 0) parts.push(`${warned} past ${WARN_PERCENT}%`);
  return parts.join(" · ");
}
