/** How spend reads everywhere it is shown (Runs view, run panel, session bar). */
import { describe, expect, test } from "vitest";
import { compact, spendText, usageText } from "../../convex/model/budgetLevels";

describe("spend wording", () => {
  test("tokens to three significant digits", () => {
    expect(compact(999)).toBe("999");
    expect(compact(12_345)).toBe("12.3k");
    expect(compact(1_020_000)).toBe("1.02M");
  });

  test("dollars to the cent, a spend below a cent is not $0.00", () => {
    expect(spendText(0)).toBe("$0.00");
    expect(spendText(0.004)).toBe("<$0.01");
    expect(spendText(0.5)).toBe("$0.50");
  });

  test("tokens and dollars together, nothing when nothing was spent", () => {
    expect(usageText(12_345, 0.5)).toBe("12.3k tokens · $0.50");
    expect(usageText(undefined, 0.003)).toBe("<$0.01");
    expect(usageText(12_345)).toBe("12.3k tokens");
    expect(usageText(0, 0)).toBe("");
  });
});
