/**
 * A thread as the Messages API wants it, seen by one agent: its own messages
 * are the assistant's, everyone else's are the user's, labelled with the
 * author's name. Consecutive messages of one side are joined (the API wants
 * turns to alternate), and the conversation starts and ends on the user's
 * side: the last user turn ends with the cue that it is this agent's turn.
 */
import type { ModelTurn } from "./nativeModelCall";

export type TranscriptMessage = {
  authorId: string;
  authorName: string;
  body: string;
};

export function transcriptTurns(
  messages: readonly TranscriptMessage[],
  selfId: string,
  cue: string,
): ModelTurn[] {
  const turns: ModelTurn[] = [];
  const push = (role: ModelTurn["role"], content: string) => {
    const last = turns[turns.length - 1];
    if (last?.role === role) last.content = `${last.content}\n\n${content}`;
    else turns.push({ role, content });
  };
  for (const message of messages) {
    if (message.authorId === selfId) push("assistant", message.body);
    else push("user", `[${message.authorName}]: ${message.body}`);
  }
  if (turns[0]?.role === "assistant") {
    turns.unshift({ role: "user", content: "(The thread so far.)" });
  }
  push("user", cue);
  return turns;
}
