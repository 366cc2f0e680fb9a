/**
 * Native agents in a thread (convex/nativeSessions.ts is the thin wrapper).
 * A session is a durable state machine driven by the scheduler: the mutation
 * that writes a turn checks the stop conditions and the budget gate and
 * schedules the next turn's action, so nothing runs client-side and a turn
 * is never dispatched on a spent envelope. Stop conditions: max turns, a
 * stop phrase (the session's own, or the role's: a critic's "NO
 * OBJECTIONS"), someone stopping it, a budget refusal, a model error, an
 * agent gone, and a turn not written within TURN_TIMEOUT_MS (the watchdog).
 */
import { v, type Infer } from "convex/values";
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Access } from "./access";
import { dispatchAllowance, recordUsage } from "./budgets";
import { requireText } from "./checks";
import { fail } from "./errors";
import { LIMITS } from "./limits";
import { nativeAccess } from "./nativeAgents";
import type { ModelOutcome } from "./nativeModelCall";
import {
  roleStopPhrases,
  saysStop,
  turnSystemPrompt,
  type NativeRole,
} from "./nativeRoles";
import { transcriptTurns } from "./nativeTranscript";
import { PrincipalNames } from "./threadReads";
import { postMessage } from "./threads";

export const SESSION_LIMITS = {
  participants: 4,
  maxTurns: 50,
  defaultMaxTurns: 6,
  /** The newest messages a turn sees; older ones are out of its window. */
  transcriptMessages: 40,
  stopPhraseLength: 100,
  turnTimeoutMs: 5 * 60_000,
  watchdogBatch: 50,
} as const;

export type SessionInput = {
  participants: { agentId: Id<"agents">; role?: NativeRole }[];
  goal?: string;
  maxTurns?: number;
  stopPhrase?: string;
};

type Session = Doc<"nativeSessions">;
type Turn = { sessionId: Id<"nativeSessions">; turn: number };

export async function startSession(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  thread: Doc<"threads">,
  input: SessionInput,
): Promise<Id<"nativeSessions">> {
  const participants = await checkParticipants(ctx, project, input);
  const maxTurns = input.maxTurns ?? SESSION_LIMITS.defaultMaxTurns;
  if (
    !Number.isInteger(maxTurns) ||
    maxTurns < 1 ||
    maxTurns > SESSION_LIMITS.maxTurns
  ) {
    fail(
      "INVALID_ARGUMENT",
      `maxTurns must be a whole number from 1 to ${SESSION_LIMITS.maxTurns}.`,
    );
  }
  const stopPhrase =
    input.stopPhrase === undefined
      ? undefined
      : requireText(
          "stopPhrase",
          input.stopPhrase,
          SESSION_LIMITS.stopPhraseLength,
        );
  const running = await ctx.db
    .query("nativeSessions")
    .withIndex("by_threadId_status", (q) =>
      q.eq("threadId", thread._id).eq("status", "running"),
    )
    .first();
  if (running !== null) {
    fail(
      "ALREADY_EXISTS",
      "A native session is already running in this thread.",
    );
  }
  const sessionId = await ctx.db.insert("nativeSessions", {
    orgId: project.orgId,
    projectId: project._id,
    threadId: thread._id,
    participants: participants.map(({ agent, role }) => ({
      agentId: agent._id,
      role,
    })),
    maxTurns,
    stopPhrase,
    turnsTaken: 0,
    status: "running",
    usedTokens: 0,
    usedCostUsd: 0,
    startedBy: access.principal.id,
    startedAt: Date.now(),
  });
  if (input.goal !== undefined && input.goal.trim() !== "") {
    await postMessage(ctx, access, project, thread, {
      kind: "text",
      body: input.goal,
    });
  }
  const who = participants
    .map(({ agent, role }) => `${agent.name} (${role})`)
    .join(", ");
  const stops = stopPhrase === undefined ? "" : `; stops on "${stopPhrase}"`;
  await postMessage(ctx, access, project, thread, {
    kind: "event",
    event: "session_start",
    sessionId,
    body: `Native session: ${who}; up to ${maxTurns} turns${stops}.`,
  });
  await scheduleNextTurn(ctx, (await ctx.db.get("nativeSessions", sessionId))!);
  return sessionId;
}

async function checkParticipants(
  ctx: QueryCtx,
  project: Doc<"projects">,
  input: SessionInput,
): Promise<{ agent: Doc<"agents">; role: NativeRole }[]> {
  const count = input.participants.length;
  if (count < 1 || count > SESSION_LIMITS.participants) {
    fail(
      "INVALID_ARGUMENT",
      `A session has 1 to ${SESSION_LIMITS.participants} participants.`,
    );
  }
  const seen = new Set<string>();
  const checked: { agent: Doc<"agents">; role: NativeRole }[] = [];
  for (const { agentId, role } of input.participants) {
    if (seen.has(agentId)) {
      fail("INVALID_ARGUMENT", "Each agent takes part once.");
    }
    seen.add(agentId);
    const agent = await ctx.db.get("agents", agentId);
    if (agent === null || agent.orgId !== project.orgId) {
      fail("NOT_FOUND", "Agent not found.");
    }
    if (agent.kind !== "native") {
      fail(
        "INVALID_ARGUMENT",
        `Agent "${agent.name}" is ${agent.kind}; only native agents take turns here.`,
      );
    }
    checked.push({ agent, role: role ?? "agent" });
  }
  return checked;
}

/** The participant whose turn `turn` (1-based) is. */
function speakerOf(session: Session, turn: number) {
  return session.participants[(turn - 1) % session.participants.length]!;
}

/** Dispatches the next turn, or ends the session when it may not run. */
async function scheduleNextTurn(ctx: MutationCtx, session: Session) {
  const turn = session.turnsTaken + 1;
  const speaker = speakerOf(session, turn);
  if (session.turnsTaken >= session.maxTurns) {
    await endSession(
      ctx,
      session,
      `reached its limit of ${session.maxTurns} turns`,
      speaker.agentId,
    );
    return;
  }
  const agent = await ctx.db.get("agents", speaker.agentId);
  if (agent === null || agent.kind !== "native") {
    await endSession(
      ctx,
      session,
      "a participant is no longer a native agent",
      null,
    );
    return;
  }
  // The gate is in the transaction that dispatches: no turn on a spent envelope.
  const allowance = await dispatchAllowance(ctx, {
    orgId: session.orgId,
    projectId: session.projectId,
    agentId: agent._id,
  });
  if (!allowance.ok) {
    await endSession(ctx, session, allowance.reason, agent._id);
    return;
  }
  await ctx.db.patch("nativeSessions", session._id, {
    pendingTurn: turn,
    turnDeadlineAt: Date.now() + SESSION_LIMITS.turnTimeoutMs,
  });
  await ctx.scheduler.runAfter(0, internal.nativeSessions.takeTurn, {
    sessionId: session._id,
    turn,
  });
}

/**
 * Ends a running session and says why on the thread, as `by` (a person who
 * stopped it) or as the agent whose turn it was; null: the session's first
 * participant still present, else nobody posts.
 */
export async function endSession(
  ctx: MutationCtx,
  session: Session,
  reason: string,
  by: Id<"agents"> | Access | null,
): Promise<void> {
  if (session.status !== "running") return;
  await ctx.db.patch("nativeSessions", session._id, {
    status: "ended",
    endReason: reason,
    endedAt: Date.now(),
    pendingTurn: undefined,
    turnDeadlineAt: undefined,
  });
  const thread = await ctx.db.get("threads", session.threadId);
  const project = await ctx.db.get("projects", session.projectId);
  if (thread === null || project === null) return;
  const access = await endAccess(ctx, session, by);
  if (access === null) return;
  await postMessage(ctx, access, project, thread, {
    kind: "event",
    event: "session_end",
    sessionId: session._id,
    body: `Native session ended: ${reason}.`,
  });
}

async function endAccess(
  ctx: MutationCtx,
  session: Session,
  by: Id<"agents"> | Access | null,
): Promise<Access | null> {
  if (by !== null && typeof by === "object") return by;
  const ids = by === null ? session.participants.map((p) => p.agentId) : [by];
  for (const id of ids) {
    const agent = await ctx.db.get("agents", id);
    if (agent !== null) {
      return nativeAccess(ctx, agent, session.projectId, "threads:post");
    }
  }
  return null;
}

export const vTurnContext = v.object({
  system: v.string(),
  messages: v.array(
    v.object({
      role: v.union(v.literal("user"), v.literal("assistant")),
      content: v.string(),
    }),
  ),
});
export type TurnContext = Infer<typeof vTurnContext>;

/** What the model is given for a turn; null when the turn is no longer current. */
export async function turnContext(
  ctx: QueryCtx,
  { sessionId, turn }: Turn,
): Promise<TurnContext | null> {
  const session = await ctx.db.get("nativeSessions", sessionId);
  if (session?.status !== "running" || session.pendingTurn !== turn) {
    return null;
  }
  const thread = await ctx.db.get("threads", session.threadId);
  const self = await ctx.db.get("agents", speakerOf(session, turn).agentId);
  if (thread === null || self === null) return null;
  const names = new PrincipalNames(ctx);
  const others: string[] = [];
  for (const { agentId, role } of session.participants) {
    if (agentId !== self._id) {
      others.push(`${(await names.of(agentId)).name} (${role})`);
    }
  }
  const newest = await ctx.db
    .query("messages")
    .withIndex("by_threadId", (q) => q.eq("threadId", thread._id))
    .order("desc")
    .take(SESSION_LIMITS.transcriptMessages);
  const transcript = [];
  for (const message of newest.reverse()) {
    if (message.kind === "event") continue;
    transcript.push({
      authorId: message.authorId,
      authorName: (await names.of(message.authorId)).name,
      body: message.body,
    });
  }
  return {
    system: turnSystemPrompt({
      agentName: self.name,
      instructions: self.instructions,
      role: speakerOf(session, turn).role,
      threadTitle: thread.title,
      others,
      turn,
      maxTurns: session.maxTurns,
    }),
    messages: transcriptTurns(transcript, self._id, "(It is your turn.)"),
  };
}

export type TurnResult = Turn & ModelOutcome;

/** Writes a turn's reply (when still current), counts its usage, and moves on. */
export async function finishTurn(
  ctx: MutationCtx,
  result: TurnResult,
): Promise<void> {
  const session = await ctx.db.get("nativeSessions", result.sessionId);
  if (session === null) return;
  const speaker = speakerOf(session, result.turn);
  const agent = await ctx.db.get("agents", speaker.agentId);
  const project = await ctx.db.get("projects", session.projectId);
  const thread = await ctx.db.get("threads", session.threadId);
  if (agent === null || project === null || thread === null) {
    await endSession(ctx, session, "its thread or agent is gone", null);
    return;
  }
  const access = nativeAccess(ctx, agent, project._id, "threads:post");
  const tokens = result.inputTokens + result.outputTokens;
  // Spent tokens count even when the turn is no longer current.
  if (tokens > 0) {
    await recordUsage(ctx, access, project, {
      taskId: thread.taskId,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costUsd: result.costUsd,
      model: result.model,
    });
    await ctx.db.patch("nativeSessions", session._id, {
      usedTokens: session.usedTokens + tokens,
      usedCostUsd: session.usedCostUsd + result.costUsd,
    });
  }
  if (session.status !== "running" || session.pendingTurn !== result.turn) {
    return;
  }
  if (result.text === undefined || result.error !== undefined) {
    const why = result.error ?? "the model gave no answer";
    await endSession(
      ctx,
      session,
      `${agent.name}'s turn failed: ${why}`,
      agent._id,
    );
    return;
  }
  const body = fitMessage(result.text);
  await postMessage(ctx, access, project, thread, { kind: "text", body });
  await ctx.db.patch("nativeSessions", session._id, {
    turnsTaken: result.turn,
    pendingTurn: undefined,
    turnDeadlineAt: undefined,
  });
  const phrases = [
    ...roleStopPhrases(speaker.role),
    ...(session.stopPhrase === undefined ? [] : [session.stopPhrase]),
  ];
  const moved = (await ctx.db.get("nativeSessions", session._id))!;
  if (saysStop(body, phrases)) {
    await endSession(
      ctx,
      moved,
      `${agent.name} said the stop phrase`,
      agent._id,
    );
    return;
  }
  await scheduleNextTurn(ctx, moved);
}

/** An empty reply still takes the turn; a long one is cut to the message limit. */
function fitMessage(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "(no reply)";
  const marker = "\n\n[cut: the reply was longer than a message may be]";
  return trimmed.length <= LIMITS.messageLength
    ? trimmed
    : trimmed.slice(0, LIMITS.messageLength - marker.length) + marker;
}

/** The cron's pass: sessions whose pending turn never came back end. */
export async function sessionWatchdog(ctx: MutationCtx): Promise<number> {
  const now = Date.now();
  const overdue = await ctx.db
    .query("nativeSessions")
    .withIndex("by_status_turnDeadlineAt", (q) =>
      q
        .eq("status", "running")
        .gt("turnDeadlineAt", 0)
        .lt("turnDeadlineAt", now),
    )
    .take(SESSION_LIMITS.watchdogBatch);
  for (const session of overdue) {
    const turn = session.pendingTurn ?? session.turnsTaken + 1;
    await endSession(
      ctx,
      session,
      `turn ${turn} got no answer within ${SESSION_LIMITS.turnTimeoutMs / 60_000} minutes`,
      speakerOf(session, turn).agentId,
    );
  }
  return overdue.length;
}
