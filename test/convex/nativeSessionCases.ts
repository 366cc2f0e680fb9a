/**
 * permissions.test.ts cases for native agents in threads
 * (convex/nativeSessions.ts). Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  badType,
  defineCase,
  insertThread,
  semantic,
  type PublicCase,
} from "./publicFunctionCases";
import { mustRead, type Backend, type World } from "./world";

/** A native agent of org A (no instructions of its own). */
export async function insertNativeAgent(
  t: Backend,
  world: World,
  name = "planner-bot",
  instructions = "",
): Promise<Id<"agents">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("agents", {
        orgId: world.orgA,
        name,
        instructions,
        kind: "native",
        trustLevel: "standard",
        defaultScopes: [],
        createdBy: world.a.owner.userId,
        createdAt: Date.now(),
      }),
  );
}

/** A session in a seed thread, ended, so nothing is scheduled by the setup. */
async function insertSession(
  t: Backend,
  world: World,
  status: "running" | "ended",
) {
  const threadId = await insertThread(t, world);
  const agentId = await insertNativeAgent(t, world);
  const sessionId = await t.run(
    async (ctx) =>
      await ctx.db.insert("nativeSessions", {
        orgId: world.orgA,
        projectId: world.projectA,
        threadId,
        participants: [{ agentId, role: "planner" }],
        maxTurns: 4,
        turnsTaken: 1,
        status,
        usedTokens: 0,
        usedCostUsd: 0,
        startedBy: world.a.owner.userId,
        startedAt: Date.now(),
      }),
  );
  return { threadId, sessionId };
}

export const NATIVE_SESSION_CASES: readonly PublicCase[] = [
  defineCase(api.nativeSessions.start, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({
      threadId: await insertThread(t, world),
      participants: [
        {
          agentId: await insertNativeAgent(t, world),
          role: "planner" as const,
        },
      ],
      goal: "Plan the release",
      maxTurns: 2,
    }),
    invalid: (_world, args) => semantic({ ...args, maxTurns: 0 }),
    check: async (sessionId, { t, args }) => {
      const session = await mustRead(t, "nativeSessions", sessionId);
      expect(session).toMatchObject({ threadId: args.threadId, maxTurns: 2 });
      const messages = await t.run(async (ctx) =>
        ctx.db
          .query("messages")
          .withIndex("by_threadId", (q) => q.eq("threadId", args.threadId))
          .collect(),
      );
      expect(messages.map((m) => m.event ?? m.body).slice(0, 2)).toEqual([
        "Plan the release",
        "session_start",
      ]);
    },
  }),
  defineCase(api.nativeSessions.stop, {
    permission: "workflows:run",
    min: "member",
    setup: async (t, world) => ({
      sessionId: (await insertSession(t, world, "running")).sessionId,
    }),
    invalid: (world) => badType({ sessionId: world.projectA }),
    check: async (_result, { t, args }) => {
      const session = await mustRead(t, "nativeSessions", args.sessionId);
      expect(session.status).toBe("ended");
      expect(session.endReason).toMatch(/^stopped by /);
    },
  }),
  defineCase(api.nativeSessions.forThread, {
    permission: "threads:read",
    min: "viewer",
    setup: async (t, world) => ({
      threadId: (await insertSession(t, world, "ended")).threadId,
    }),
    invalid: (world) => badType({ threadId: world.projectA }),
    check: (session, { args }) => {
      expect(session?.threadId).toBe(args.threadId);
      expect(session?.status).toBe("ended");
    },
  }),
];
