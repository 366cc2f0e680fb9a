/**
 * Native agents in threads: people (or agents) start a session of native
 * agents with sharp roles, the scheduler runs their turns server-side, and
 * everyone in the thread reads and writes along. Rules and stop conditions:
 * model/nativeSessions.ts. One turn is read -> call model -> write, like a
 * native workflow step (convex/nativeAgents.ts).
 */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import {
  internalAction,
  internalMutation,
  internalQuery,
} from "./_generated/server";
import { tenantMutation, tenantQuery } from "./functions";
import { fail } from "./model/errors";
import { callModel, modelOutcomeFields } from "./model/nativeModelCall";
import {
  endSession,
  finishTurn as applyTurn,
  sessionWatchdog,
  startSession,
  turnContext as readTurnContext,
  vTurnContext,
} from "./model/nativeSessions";
import { PrincipalNames } from "./model/threadReads";
import schema from "./schema";
import { vNativeRole } from "./tables/nativeSessions";

const vSessionDoc = schema.doc("nativeSessions");

export const start = tenantMutation({
  permission: "workflows:run",
  args: {
    threadId: v.id("threads"),
    /** In speaking order; the role defaults to "agent" (its own instructions only). */
    participants: v.array(
      v.object({ agentId: v.id("agents"), role: v.optional(vNativeRole) }),
    ),
    /** Posted first, as the starter's message: what the session is about. */
    goal: v.optional(v.string()),
    maxTurns: v.optional(v.number()),
    stopPhrase: v.optional(v.string()),
  },
  returns: v.id("nativeSessions"),
  handler: async (ctx, { threadId, ...input }) => {
    const { project, thread } = await ctx.access.thread(threadId);
    return await startSession(ctx, ctx.access, project, thread, input);
  },
});

export const stop = tenantMutation({
  permission: "workflows:run",
  args: { sessionId: v.id("nativeSessions") },
  returns: v.null(),
  handler: async (ctx, { sessionId }) => {
    const session = await ctx.db.get("nativeSessions", sessionId);
    if (session === null) fail("NOT_FOUND", "Native session not found.");
    await ctx.access.thread(session.threadId);
    const { name } = await new PrincipalNames(ctx).of(ctx.access.principal.id);
    await endSession(ctx, session, `stopped by ${name}`, ctx.access);
    return null;
  },
});

/** The thread's running session, else its latest one; null when it never had one. */
export const forThread = tenantQuery({
  permission: "threads:read",
  args: { threadId: v.id("threads") },
  returns: v.union(vSessionDoc, v.null()),
  handler: async (ctx, { threadId }) => {
    await ctx.access.thread(threadId);
    const byStatus = (status: "running" | "ended") =>
      ctx.db
        .query("nativeSessions")
        .withIndex("by_threadId_status", (q) =>
          q.eq("threadId", threadId).eq("status", status),
        )
        .order("desc")
        .first();
    return (await byStatus("running")) ?? (await byStatus("ended"));
  },
});

const turnArgs = { sessionId: v.id("nativeSessions"), turn: v.number() };

export const turnContext = internalQuery({
  args: turnArgs,
  returns: v.union(vTurnContext, v.null()),
  handler: async (ctx, args) => await readTurnContext(ctx, args),
});

export const finishTurn = internalMutation({
  args: {
    ...turnArgs,
    ...modelOutcomeFields,
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    await applyTurn(ctx, args);
    return null;
  },
});

export const takeTurn = internalAction({
  args: turnArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    const context = await ctx.runQuery(
      internal.nativeSessions.turnContext,
      args,
    );
    if (context === null) return null;
    const outcome = await callModel(context);
    await ctx.runMutation(internal.nativeSessions.finishTurn, {
      ...args,
      ...outcome,
    });
    return null;
  },
});

/** The cron's pass: a turn whose action died (a backend restart) ends its session. */
export const watchdog = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => await sessionWatchdog(ctx),
});
