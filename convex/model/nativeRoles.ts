/**
 * The sharp roles native agents take in a thread, and the system prompt each
 * turn is given. A role narrows what an agent does on top of its own
 * instructions: a critic that only raises objections is more useful next to
 * a planner than a second planner.
 */
export const NATIVE_ROLES = [
  "planner",
  "critic",
  "summarizer",
  "agent",
] as const;
export type NativeRole = (typeof NATIVE_ROLES)[number];

/** The critic's way of saying it is satisfied; it ends the session. */
export const CRITIC_DONE = "NO OBJECTIONS";

const ROLE_TEXT: Record<NativeRole, string> = {
  planner:
    "You are the planner. Turn the goal into a short numbered plan of concrete steps. " +
    "When others raise objections, revise the plan and say what changed. Do not write code.",
  critic:
    "You are the critic. Only raise objections: risks, gaps, wrong assumptions, missing tests. " +
    "Never propose a plan or write code yourself. Number your objections. " +
    `When you have none left, reply with exactly: ${CRITIC_DONE}`,
  summarizer:
    "You are the summarizer. Summarize where the thread stands: what was decided, " +
    "what is still open, and who should act next. Be brief.",
  agent: "Follow your instructions.",
};

/** Phrases that end a session when a participant of the role says them. */
export function roleStopPhrases(role: NativeRole): string[] {
  return role === "critic" ? [CRITIC_DONE] : [];
}

export type TurnPromptInput = {
  agentName: string;
  instructions: string;
  role: NativeRole;
  threadTitle: string;
  others: string[];
  turn: number;
  maxTurns: number;
};

export function turnSystemPrompt(input: TurnPromptInput): string {
  const company =
    input.others.length === 0 ? "" : ` with ${input.others.join(", ")}`;
  return [
    `You are ${input.agentName}, a native agent in the Switchboard thread "${input.threadTitle}"${company}.`,
    ROLE_TEXT[input.role],
    input.instructions,
    `Messages from others are shown as "[name]: text". Reply with your message only, without your name. ` +
      `This is turn ${input.turn} of at most ${input.maxTurns}.`,
  ]
    .filter((part) => part.trim() !== "")
    .join("\n\n");
}

/** Whether `reply` ends the session: a stop phrase on a line of its own. */
export function saysStop(reply: string, phrases: readonly string[]): boolean {
  const wanted = phrases.map(normalize).filter((phrase) => phrase !== "");
  if (wanted.length === 0) return false;
  return reply.split("\n").some((line) => wanted.includes(normalize(line)));
}

/** Case, surrounding space and trailing punctuation do not matter. */
function normalize(text: string): string {
  return text
    .trim()
    .replace(/[.!]+$/, "")
    .trim()
    .toUpperCase();
}
