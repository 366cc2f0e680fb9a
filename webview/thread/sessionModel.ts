/**
 * What the thread's native session bar says: who takes turns in which role,
 * how far along it is, what it spent, and why it ended.
 */
import type { Doc } from "../../convex/_generated/dataModel";
import { usageText } from "../../convex/model/budgetLevels";
import type { PeopleIndex } from "../shared/people";

export type NativeSessionLike = Pick<
  Doc<"nativeSessions">,
  | "participants"
  | "status"
  | "turnsTaken"
  | "maxTurns"
  | "pendingTurn"
  | "endReason"
  | "usedTokens"
  | "usedCostUsd"
>;

export type SessionSummary = {
  running: boolean;
  who: string;
  progress: string;
  spent: string;
};

export function sessionSummary(
  session: NativeSessionLike,
  people: Pick<PeopleIndex, "name">,
): SessionSummary {
  const who = session.participants
    .map(({ agentId, role }) => `${people.name(agentId)} (${role})`)
    .join(", ");
  const running = session.status === "running";
  const progress = running
    ? session.pendingTurn === undefined
      ? `${session.turnsTaken} of ${session.maxTurns} turns`
      : `turn ${session.pendingTurn} of ${session.maxTurns}: ${speakerName(session, people)} is thinking…`
    : `ended after ${session.turnsTaken} of ${session.maxTurns} turns: ${session.endReason ?? "no reason given"}`;
  return {
    running,
    who,
    progress,
    spent: usageText(session.usedTokens, session.usedCostUsd),
  };
}

function speakerName(
  session: NativeSessionLike,
  people: Pick<PeopleIndex, "name">,
): string {
  const turn = session.pendingTurn ?? session.turnsTaken + 1;
  const speaker =
    session.participants[(turn - 1) % session.participants.length];
  return people.name(speaker?.agentId);
}
