/** The budgets chart model: shares, clamping, thresholds, names. */
import { describe, expect, test } from "vitest";
import { WARN_AT } from "../../../convex/model/budgetLevels";
import type { BudgetView } from "../../../convex/model/views";
import {
  barModel,
  chartRows,
  chartSummary,
  envelopeRow,
  levelOf,
  targetName,
  WARN_PERCENT,
  type TargetNames,
} from "../../../webview/budgets/budgetModel";
import { loose, type Loose } from "../extension/views/fixtures";

const names: TargetNames = {
  org: "Acme",
  projects: new Map([["p1", "Switchboard"]]),
  agents: new Map([["ag1", "claude-1"]]),
  runs: new Map([["run1", "release v3"]]),
};

function envelope(overrides: Partial<Loose<BudgetView>>): BudgetView {
  return loose<BudgetView>({
    id: "b1",
    scope: "org",
    targetId: "o1",
    usedTokens: 0,
    usedCostUsd: 0,
    period: "monthly",
    warned: false,
    exhausted: false,
    ...overrides,
  });
}

describe("bars", () => {
  test("the warning line is the server's threshold", () => {
    expect(WARN_PERCENT).toBe(WARN_AT * 100);
    expect(WARN_PERCENT).toBe(80);
  });

  test("share of the limit, in percent and words", () => {
    expect(barModel("tokens", 2_500, 10_000)).toMatchObject({
      share: 0.25,
      fillPercent: 25,
      percentText: "25%",
      level: "ok",
      text: "2.5k of 10k tokens",
    });
    expect(barModel("usd", 42, 50)).toMatchObject({
      fillPercent: 84,
      percentText: "84%",
      level: "warned",
      text: "$42.00 of $50.00",
    });
  });

  test("over the limit the fill stops at the track's end; the words go on", () => {
    const over = barModel("tokens", 15_000, 10_000);
    expect(over).toMatchObject({
      fillPercent: 100,
      percentText: "150%",
      level: "exhausted",
      overText: "over by 5k tokens",
    });
    expect(barModel("usd", 50, 50).overText).toBeUndefined();
  });

  test("a zero limit is full from the start, as the server counts it", () => {
    expect(barModel("usd", 0, 0)).toMatchObject({
      fillPercent: 100,
      percentText: "100%",
      level: "exhausted",
    });
  });

  test("levels at the thresholds", () => {
    expect(levelOf(0.79)).toBe("ok");
    expect(levelOf(0.8)).toBe("warned");
    expect(levelOf(1)).toBe("exhausted");
  });
});

describe("envelopes", () => {
  test("one bar per limit set, tokens first", () => {
    const row = envelopeRow(
      envelope({
        limitTokens: 1_000,
        limitCostUsd: 10,
        usedTokens: 100,
        usedCostUsd: 9,
        warned: true,
      }),
      names,
    );
    expect(row.bars.map((bar) => [bar.dimension, bar.percentText])).toEqual([
      ["tokens", "10%"],
      ["usd", "90%"],
    ]);
    // The envelope's level is the server's flag; each bar has its own.
    expect(row.level).toBe("warned");
    expect(row.bars.map((bar) => bar.level)).toEqual(["ok", "warned"]);
    expect(row.unlimitedText).toBeUndefined();
  });

  test("missing limits: no bar, the counted spend in words", () => {
    const row = envelopeRow(
      envelope({ usedTokens: 1_200, usedCostUsd: 0.5, period: "none" }),
      names,
    );
    expect(row.bars).toEqual([]);
    expect(row.unlimitedText).toBe(
      "No limit set; 1.2k tokens and $0.50 counted",
    );
    expect(row.periodText).toBe("no period");
  });

  test("targets by name, a short id when the name is not known", () => {
    expect(targetName("org", "o1", names)).toBe("Acme");
    expect(targetName("project", "p1", names)).toBe("Switchboard");
    expect(targetName("agent", "ag1", names)).toBe("claude-1");
    expect(targetName("run", "run1", names)).toBe("release v3");
    expect(targetName("run", "k57abcdef123456", names)).toBe("Run …123456");
    expect(targetName("org", "o1", { ...names, org: undefined })).toBe(
      "The org",
    );
  });

  test("rows by scope, then name; the summary counts trouble", () => {
    const rows = chartRows(
      [
        envelope({ id: "b3", scope: "run", targetId: "run1" }),
        envelope({
          id: "b2",
          scope: "agent",
          targetId: "ag1",
          exhausted: true,
        }),
        envelope({ id: "b4", scope: "project", targetId: "p1", warned: true }),
        envelope({ id: "b1", scope: "org", targetId: "o1" }),
      ],
      names,
    );
    expect(rows.map((row) => row.name)).toEqual([
      "Acme",
      "Switchboard",
      "claude-1",
      "release v3",
    ]);
    expect(chartSummary(rows)).toBe("1 exhausted · 1 past 80%");
    expect(chartSummary([])).toBe("");
  });
});
