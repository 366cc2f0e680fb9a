/**
 * The pure parts of the native session commands: which agents may take part,
 * the role choices, the turn limit as typed, and the thread an invocation is
 * about. No vscode import, so they are unit-tested directly.
 */
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { NATIVE_ROLES, type NativeRole } from "../../convex/model/nativeRoles";
import type { ThreadNode } from "../views/nodes";

export const ROLE_DETAILS: Record<NativeRole, string> = {
  planner: "turns the goal into a numbered plan and revises it",
  critic: 'only raises objections; says "NO OBJECTIONS" to end the session',
  summarizer: "sums up what was decided and what is open",
  agent: "its own instructions only",
};

export type RoleItem = { label: NativeRole; detail: string };

export function roleItems(): RoleItem[] {
  return NATIVE_ROLES.map((role) => ({
    label: role,
    detail: ROLE_DETAILS[role],
  }));
}

export type AgentItem = {
  label: string;
  description: string;
  agentId: Id<"agents">;
};

/** Only native agents take turns; the list says how to get one when empty. */
export function nativeAgentItems(
  agents: readonly Doc<"agents">[],
): AgentItem[] {
  return agents
    .filter((agent) => agent.kind === "native")
    .map((agent) => ({
      label: agent.name,
      description: agent.instructions.slice(0, 80),
      agentId: agent._id,
    }));
}

export const MAX_TURNS_LIMIT = 50;

/** The turn limit typed in the input box, or why it is not one. */
export function parseMaxTurns(
  text: string,
): { ok: true; maxTurns: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (trimmed === "" || !Number.isInteger(value)) {
    return { ok: false, message: "Type a whole number of turns." };
  }
  if (value < 1 || value > MAX_TURNS_LIMIT) {
    return { ok: false, message: `From 1 to ${MAX_TURNS_LIMIT} turns.` };
  }
  return { ok: true, maxTurns: value };
}

/** A thread id from the Threads view's element or a panel's argument. */
export function threadIdFromArg(arg: unknown): Id<"threads"> | undefined {
  if (typeof arg !== "object" || arg === null) return undefined;
  const node = arg as Partial<ThreadNode> & { threadId?: unknown };
  if (node.kind === "thread" && node.thread !== undefined) {
    return node.thread._id;
  }
  return typeof node.threadId === "string"
    ? (node.threadId as Id<"threads">)
    : undefined;
}
