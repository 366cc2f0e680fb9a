/** The run panel's wording and rules. */
import { describe, expect, test } from "vitest";
import {
  attemptText,
  canCancel,
  canRerun,
  eventKindText,
  eventTone,
  formatElapsed,
  formatOutput,
  runDuration,
  stateSummary,
  waitText,
  type StepRowLike,
} from "../../../webview/run/runModel";

const NOW = Date.UTC(2025, 5, 1, 12);

const row = (overrides: Partial<StepRowLike>): StepRowLike => ({
  stepId: "deploy",
  state: "pending",
  attempt: 0,
  ...overrides,
});

describe("steps", () => {
  test("attempts count the first try plus retries", () => {
    expect(attemptText(0, 0)).toBe("no retries");
    expect(attemptText(0, 2)).toBe("up to 2 retries");
    expect(attemptText(2, 2)).toBe("attempt 2 of 3");
  });

  test("a waiting step shows its retry countdown, else its gate", () => {
    expect(
      waitText(
        row({ state: "waiting", readyAt: NOW + 90_000, gate: "retry" }),
        NOW,
      ),
    ).toBe("retry in 1 min 30 s");
    expect(
      waitText(
        row({ state: "waiting", gate: "budget: the org budget is spent" }),
        NOW,
      ),
    ).toBe("budget: the org budget is spent");
    // Backoff over: the gate (if any) is what holds it now.
    expect(
      waitText(row({ state: "waiting", readyAt: NOW - 1, gate: "g" }), NOW),
    ).toBe("g");
    expect(waitText(row({ state: "running", gate: "stale" }), NOW)).toBe(
      undefined,
    );
  });

  test("Rerun only on a failed step of a run that was not cancelled", () => {
    expect(canRerun("failed", "failed")).toBe(true);
    expect(canRerun("running", "failed")).toBe(true);
    expect(canRerun("cancelled", "failed")).toBe(false);
    expect(canRerun("failed", "skipped")).toBe(false);
    expect(canCancel("running")).toBe(true);
    expect(canCancel("failed")).toBe(false);
  });

  test("the steps by state, rows not loaded yet counted as pending", () => {
    expect(
      stateSummary(["succeeded", "running", "succeeded", "failed"], 6),
    ).toBe("2 pending · 1 running · 2 succeeded · 1 failed");
    expect(stateSummary([], 0)).toBe("");
  });

  test("outputs are pretty JSON; anything else is shown as is", () => {
    expect(formatOutput('{"text":"hi"}')).toBe('{\n  "text": "hi"\n}');
    expect(formatOutput("not json")).toBe("not json");
    expect(formatOutput(undefined)).toBeUndefined();
  });
});

describe("time", () => {
  test("durations in seconds, minutes and hours", () => {
    expect(formatElapsed(400)).toBe("<1 s");
    expect(formatElapsed(42_000)).toBe("42 s");
    expect(formatElapsed(5 * 60_000)).toBe("5 min");
    expect(formatElapsed(5 * 60_000 + 3_000)).toBe("5 min 3 s");
    expect(formatElapsed(2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
    expect(formatElapsed(-5)).toBe("<1 s");
  });

  test("a run's duration: so far while running, fixed once ended", () => {
    expect(runDuration({ startedAt: NOW - 65_000 }, NOW)).toBe("1 min 5 s");
    expect(
      runDuration({ startedAt: NOW - 65_000, endedAt: NOW - 60_000 }, NOW),
    ).toBe("5 s");
  });
});

describe("event log", () => {
  test("kinds in words, failures and waits toned", () => {
    expect(eventKindText("step.failed")).toBe("step failed");
    expect(eventTone("step.failed")).toBe("error");
    expect(eventTone("run.cancelled")).toBe("error");
    expect(eventTone("step.waiting")).toBe("warning");
    expect(eventTone("run.succeeded")).toBe("success");
    expect(eventTone("step.started")).toBe("default");
  });
});
