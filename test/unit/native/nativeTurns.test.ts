/** The pure parts of native agents: roles' stop phrases, transcripts, prices. */
import { describe, expect, test } from "vitest";
import {
  costUsd,
  parsePriceOverride,
  priceOf,
} from "../../../convex/model/modelPrices";
import {
  CRITIC_DONE,
  roleStopPhrases,
  saysStop,
  turnSystemPrompt,
} from "../../../convex/model/nativeRoles";
import { transcriptTurns } from "../../../convex/model/nativeTranscript";

describe("saysStop", () => {
  test("needs the phrase on a line of its own, ignoring case and end punctuation", () => {
    expect(saysStop("no objections.", [CRITIC_DONE])).toBe(true);
    expect(saysStop("Checked again.\n  NO OBJECTIONS!  ", [CRITIC_DONE])).toBe(
      true,
    );
    expect(
      saysStop("I have no objections to point 1, but", [CRITIC_DONE]),
    ).toBe(false);
    expect(saysStop("anything", [])).toBe(false);
    expect(saysStop("", ["  "])).toBe(false);
  });

  test("only the critic has a stop phrase of its role", () => {
    expect(roleStopPhrases("critic")).toEqual([CRITIC_DONE]);
    expect(roleStopPhrases("planner")).toEqual([]);
  });
});

describe("turnSystemPrompt", () => {
  test("names the agent, its company, its role, its instructions and the turn", () => {
    const prompt = turnSystemPrompt({
      agentName: "critic-bot",
      instructions: "Mind security.",
      role: "critic",
      threadTitle: "Release",
      others: ["planner-bot (planner)"],
      turn: 2,
      maxTurns: 6,
    });
    expect(prompt).toContain(
      'You are critic-bot, a native agent in the Switchboard thread "Release" with planner-bot (planner).',
    );
    expect(prompt).toContain(`reply with exactly: ${CRITIC_DONE}`);
    expect(prompt).toContain("Mind security.");
    expect(prompt).toContain("This is turn 2 of at most 6.");
  });
});

describe("transcriptTurns", () => {
  const ann = { authorId: "u1", authorName: "Ann" };
  const bot = { authorId: "a1", authorName: "bot" };

  test("joins each side's consecutive messages and ends on the cue", () => {
    expect(
      transcriptTurns(
        [
          { ...ann, body: "Goal" },
          { ...ann, body: "Details" },
          { ...bot, body: "Plan" },
          { authorId: "a2", authorName: "critic", body: "Objection" },
        ],
        "a1",
        "(cue)",
      ),
    ).toEqual([
      { role: "user", content: "[Ann]: Goal\n\n[Ann]: Details" },
      { role: "assistant", content: "Plan" },
      { role: "user", content: "[critic]: Objection\n\n(cue)" },
    ]);
  });

  test("starts on the user's side even when the agent spoke first", () => {
    expect(transcriptTurns([{ ...bot, body: "Hi" }], "a1", "(cue)")).toEqual([
      { role: "user", content: "(The thread so far.)" },
      { role: "assistant", content: "Hi" },
      { role: "user", content: "(cue)" },
    ]);
    expect(transcriptTurns([], "a1", "(cue)")).toEqual([
      { role: "user", content: "(cue)" },
    ]);
  });
});

describe("model prices", () => {
  test("match by family prefix, most specific first", () => {
    expect(priceOf("claude-opus-4-5-20251101")).toEqual({
      inputPerMTok: 5,
      outputPerMTok: 25,
    });
    expect(priceOf("claude-opus-4-1")).toEqual({
      inputPerMTok: 15,
      outputPerMTok: 75,
    });
    expect(costUsd("claude-sonnet-4-6", 1_000_000, 100_000)).toBeCloseTo(
      4.5,
      9,
    );
  });

  test("an unknown model costs nothing unless a price is set for it", () => {
    expect(costUsd("local-llm", 1_000, 1_000)).toBe(0);
    const override = parsePriceOverride(" 2 , 8 ");
    expect(override).toEqual({ inputPerMTok: 2, outputPerMTok: 8 });
    expect(costUsd("local-llm", 500_000, 0, override)).toBeCloseTo(1, 9);
    for (const bad of ["2", "a,b", "-1,2", "1,2,3", ""]) {
      expect(parsePriceOverride(bad)).toBeUndefined();
    }
    expect(parsePriceOverride(undefined)).toBeUndefined();
  });
});
