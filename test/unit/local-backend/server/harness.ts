/** Shared setup: the servers on ephemeral ports over a FakeEngine, and real Convex clients. */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { JSONValue } from "convex/values";
import WebSocket from "ws";
import {
  startServers,
  type ListenOptions,
  type RunningServers,
} from "../../../../local-backend/server/listen";
import { FakeEngine } from "../fakeEngine";

type Message = { id: number; body: string; author: string };
type NoArgs = Record<string, never>;

export const fn = {
  list: makeFunctionReference<"query", NoArgs, Message[]>("messages:list"),
  counter: makeFunctionReference<"query", NoArgs, number>("counter:get"),
  whoami: makeFunctionReference<"query", NoArgs, string | null>("auth:whoami"),
  boom: makeFunctionReference<"query", NoArgs, never>("messages:boom"),
  send: makeFunctionReference<"mutation", { body: string }, number>(
    "messages:send",
  ),
  fail: makeFunctionReference<"mutation", NoArgs, never>("messages:fail"),
  noop: makeFunctionReference<"mutation", NoArgs, null>("messages:noop"),
  crash: makeFunctionReference<"mutation", NoArgs, never>("messages:crash"),
  increment: makeFunctionReference<"mutation", NoArgs, number>(
    "counter:increment",
  ),
  echo: makeFunctionReference<
    "action",
    { value: JSONValue },
    { echoed: JSONValue; caller: string | null }
  >("actions:echo"),
  failAction: makeFunctionReference<"action", NoArgs, never>("actions:fail"),
};

/** Admin auth is marked @internal in the client's typings. */
export type AdminAuthCapable = {
  setAdminAuth(key: string, actingAs?: Record<string, string>): void;
};

export type Harness = {
  engine: FakeEngine;
  servers: RunningServers;
  logs: string[];
  client(): ConvexClient;
  httpClient(): ConvexHttpClient;
  close(): Promise<void>;
};

export async function startHarness(
  options: ListenOptions = {},
): Promise<Harness> {
  const engine = new FakeEngine();
  const logs: string[] = [];
  const servers = await startServers(engine, {
    ...options,
    log: (message, error) =>
      logs.push(`${message} ${error instanceof Error ? error.message : ""}`),
  });
  const clients: ConvexClient[] = [];
  return {
    engine,
    servers,
    logs,
    client() {
      const client = new ConvexClient(servers.url, {
        webSocketConstructor:
          WebSocket as unknown as typeof globalThis.WebSocket,
        logger: false,
      });
      clients.push(client);
      return client;
    },
    httpClient() {
      return new ConvexHttpClient(servers.url, { logger: false });
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await servers.close();
    },
  };
}

/** Polls until `probe` returns something other than undefined/false. */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error("waitFor timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export { subscribe } from "../../../support/subscribe";

export type Received = {
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
};

/** A bare protocol connection: every frame it gets, parsed, and how it closed. */
export async function openRawSocket(
  h: Harness,
  path = "/api/1.48.0/sync",
): Promise<{ ws: WebSocket; received: Received }> {
  const ws = new WebSocket(h.servers.url.replace("http", "ws") + path);
  const messages: Record<string, unknown>[] = [];
  ws.on("message", (data: Buffer) =>
    messages.push(JSON.parse(data.toString("utf8")) as Record<string, unknown>),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, received: { messages, closed } };
}
