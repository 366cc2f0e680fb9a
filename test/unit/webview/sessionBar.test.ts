/** The thread's native session bar, rendered to HTML for a running and an ended session. */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import type { Id } from "../../../convex/_generated/dataModel";
import { SessionSummaryBar } from "../../../webview/thread/SessionBar";
import {
  sessionSummary,
  type NativeSessionLike,
} from "../../../webview/thread/sessionModel";

const names: Record<string, string> = { a1: "planner-bot", a2: "critic-bot" };
const people = { name: (id: string | undefined) => names[id ?? ""] ?? "?" };

const session = (fields: Partial<NativeSessionLike>): NativeSessionLike => ({
  participants: [
    { agentId: "a1" as Id<"agents">, role: "planner" },
    { agentId: "a2" as Id<"agents">, role: "critic" },
  ],
  status: "running",
  turnsTaken: 2,
  maxTurns: 6,
  usedTokens: 0,
  usedCostUsd: 0,
  ...fields,
});

describe("sessionSummary", () => {
  test("a running session names who is thinking on the pending turn", () => {
    expect(sessionSummary(session({ pendingTurn: 3 }), people)).toEqual({
      running: true,
      who: "planner-bot (planner), critic-bot (critic)",
      progress: "turn 3 of 6: planner-bot is thinking…",
      spent: "",
    });
    expect(
      sessionSummary(session({ pendingTurn: 4 }), people).progress,
    ).toMatch(/critic-bot is thinking/);
  });

  test("an ended session says why and what it spent", () => {
    const summary = sessionSummary(
      session({
        status: "ended",
        turnsTaken: 4,
        endReason: "critic-bot said the stop phrase",
        usedTokens: 12_300,
        usedCostUsd: 0.42,
      }),
      people,
    );
    expect(summary.running).toBe(false);
    expect(summary.progress).toBe(
      "ended after 4 of 6 turns: critic-bot said the stop phrase",
    );
    expect(summary.spent).toBe("12.3k tokens · $0.42");
  });
});

describe("SessionSummaryBar", () => {
  const render = (fields: Partial<NativeSessionLike>) =>
    renderToStaticMarkup(
      createElement(SessionSummaryBar, {
        session: session(fields),
        people,
        onStop: () => undefined,
      }),
    );

  test("offers Stop only while the session runs", () => {
    const running = render({ pendingTurn: 3 });
    expect(running).toContain('data-status="running"');
    expect(running).toContain("Stop native session");
    const ended = render({ status: "ended", endReason: "stopped by Ann" });
    expect(ended).toContain('data-status="ended"');
    expect(ended).not.toContain("Stop native session");
    expect(ended).toContain("stopped by Ann");
  });
});
