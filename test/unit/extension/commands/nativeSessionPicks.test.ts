/** The native session commands' pure parts. */
import { describe, expect, test } from "vitest";
import type { Doc } from "../../../../convex/_generated/dataModel";
import {
  nativeAgentItems,
  parseMaxTurns,
  roleItems,
  threadIdFromArg,
} from "../../../../extension/commands/nativeSessionPicks";

describe("parseMaxTurns", () => {
  test("accepts whole numbers from 1 to 50", () => {
    expect(parseMaxTurns(" 6 ")).toEqual({ ok: true, maxTurns: 6 });
    expect(parseMaxTurns("50")).toEqual({ ok: true, maxTurns: 50 });
    for (const bad of ["", "0", "51", "2.5", "six"]) {
      expect(parseMaxTurns(bad).ok).toBe(false);
    }
  });
});

describe("threadIdFromArg", () => {
  test("reads a Threads view node or a { threadId } argument", () => {
    expect(threadIdFromArg({ kind: "thread", thread: { _id: "th1" } })).toBe(
      "th1",
    );
    expect(threadIdFromArg({ threadId: "th2" })).toBe("th2");
    expect(threadIdFromArg(undefined)).toBeUndefined();
    expect(threadIdFromArg({ kind: "task" })).toBeUndefined();
  });
});

describe("pick items", () => {
  test("only native agents are offered", () => {
    const agent = (name: string, kind: "native" | "external") =>
      ({
        _id: name,
        name,
        kind,
        instructions: "x".repeat(100),
      }) as unknown as Doc<"agents">;
    const items = nativeAgentItems([
      agent("a", "native"),
      agent("b", "external"),
    ]);
    expect(items.map((item) => item.label)).toEqual(["a"]);
    expect(items[0]!.description).toHaveLength(80);
  });

  test("every role is offered with what it does", () => {
    expect(roleItems().map((item) => item.label)).toEqual([
      "planner",
      "critic",
      "summarizer",
      "agent",
    ]);
    expect(roleItems()[1]!.detail).toMatch(/NO OBJECTIONS/);
  });
});
