/**
 * Native agents talking in a thread: one row per session. Turns go round the
 * participants in order, each scheduled server-side by the mutation that
 * wrote the previous one (model/nativeSessions.ts), until a stop condition.
 */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { NATIVE_ROLES } from "../model/nativeRoles";
import { vPrincipalId } from "../validators";

export const vNativeRole = v.union(
  ...NATIVE_ROLES.map((role) => v.literal(role)),
);

export const vNativeSessionStatus = v.union(
  v.literal("running"),
  v.literal("ended"),
);

export const nativeSessionTables = {
  nativeSessions: defineTable({
    orgId: v.id("orgs"),
    projectId: v.id("projects"),
    threadId: v.id("threads"),
    /** Who speaks, in this order, round and round. */
    participants: v.array(
      v.object({ agentId: v.id("agents"), role: vNativeRole }),
    ),
    maxTurns: v.number(),
    /** A reply with this on a line of its own ends the session. */
    stopPhrase: v.optional(v.string()),
    turnsTaken: v.number(),
    status: vNativeSessionStatus,
    /** The turn scheduled and not yet written; a late answer to any other is dropped. */
    pendingTurn: v.optional(v.number()),
    /** A pending turn not written by then ends the session (the watchdog). */
    turnDeadlineAt: v.optional(v.number()),
    /** Why it ended: max turns, a stop phrase, stopped by someone, budget, error. */
    endReason: v.optional(v.string()),
    usedTokens: v.number(),
    usedCostUsd: v.number(),
    startedBy: vPrincipalId,
    startedAt: v.number(),
    endedAt: v.optional(v.number()),
  })
    .index("by_threadId_status", ["threadId", "status"])
    .index("by_status_turnDeadlineAt", ["status", "turnDeadlineAt"]),
};
