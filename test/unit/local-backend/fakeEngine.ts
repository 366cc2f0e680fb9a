/**
 * A tiny in-memory Engine for testing the network layer against the real
 * Convex clients. Tables are "messages" and "counter"; read and write sets are
 * sets of table names. Commits notify listeners synchronously, before anyone
 * can observe the new timestamp, as the real engine must.
 */
import type { JSONValue } from "convex/values";
import type {
  CallerIdentity,
  Commit,
  Engine,
  FunctionCall,
  FunctionKind,
  FunctionOutcome,
  QueryOutcome,
  ReadSet,
  Timestamp,
  WriteSet,
} from "../../../local-backend/engine/types";

type Tables = ReadonlySet<string>;
type Message = { id: number; body: string; author: string };
type Result = FunctionOutcome & { ts: Timestamp };

const readSet = (...tables: string[]): ReadSet =>
  ({ tables: new Set(tables) }) as unknown as ReadSet;
const tablesOf = (set: ReadSet | WriteSet): Tables =>
  (set as unknown as { tables: Tables }).tables;

export const GOOD_TOKEN = "good-token";
export const ADMIN_KEY = "admin-key";
export const USER_TOKEN_IDENTIFIER = "https://issuer.test|user-1";

const ok = (value: JSONValue): FunctionOutcome => ({
  ok: true,
  value,
  logLines: [],
});
const convexError = (code: string, message: string): FunctionOutcome => ({
  ok: false,
  errorMessage: `Uncaught ConvexError: ${message}`,
  errorData: { code, message },
  logLines: [],
});

const KINDS: Record<string, FunctionKind> = {
  "messages:list": "query",
  "counter:get": "query",
  "auth:whoami": "query",
  "messages:boom": "query",
  "messages:send": "mutation",
  "messages:fail": "mutation",
  "messages:crash": "mutation",
  "messages:noop": "mutation",
  "counter:increment": "mutation",
  "actions:echo": "action",
  "actions:fail": "action",
};

export type FakeEngineHooks = {
  /** Runs after a keyed mutation committed, before runMutation resolves (e.g. drop the socket). */
  afterMutationCommit?: (key: string) => Promise<void> | void;
  /** Runs after runQueries read its snapshot, before it resolves (holds a run in flight). */
  afterSnapshot?: () => Promise<void> | void;
};

export class FakeEngine implements Engine {
  readonly messages: Message[] = [];
  counter = 0;
  /** How many times each keyed mutation's body actually ran. */
  readonly applications = new Map<string, number>();
  runQueriesCalls = 0;
  hooks: FakeEngineHooks = {};
  private ts: Timestamp = 1000n;
  private readonly listeners = new Set<(commit: Commit) => void>();
  private readonly byKey = new Map<string, Promise<Result>>();

  latestTs(): Timestamp {
    return this.ts;
  }

  async runQueries(
    calls: readonly FunctionCall[],
  ): Promise<{ ts: Timestamp; outcomes: QueryOutcome[] }> {
    this.runQueriesCalls += 1;
    // One snapshot: read synchronously, then (optionally) held in flight by the test.
    const result = {
      ts: this.ts,
      outcomes: calls.map((call) => this.query(call)),
    };
    await this.hooks.afterSnapshot?.();
    return result;
  }

  runMutation(
    call: FunctionCall,
    key?: { sessionId: string; requestId: number },
  ): Promise<Result> {
    if (key === undefined) return this.mutate(call, undefined);
    const id = `${key.sessionId}:${key.requestId}`;
    const prior = this.byKey.get(id);
    if (prior) return prior;
    const result = this.mutate(call, id);
    this.byKey.set(id, result);
    return result;
  }

  async runAction(call: FunctionCall): Promise<FunctionOutcome> {
    await Promise.resolve();
    if (call.udfPath === "actions:echo")
      return ok({ echoed: call.args, caller: describe(call.identity) });
    if (call.udfPath === "actions:fail")
      return convexError("ACTION_FAILED", "action refused");
    return {
      ok: false,
      errorMessage: `Could not find public function for '${call.udfPath}'`,
      logLines: [],
    };
  }

  async runHttpAction(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/hello") {
      return new Response("hello", {
        headers: { "content-type": "text/plain", "x-route": "hello" },
      });
    }
    if (request.method === "POST" && url.pathname === "/echo") {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      const body = {
        body: await request.text(),
        header: request.headers.get("x-test"),
        query: url.searchParams.get("q"),
        url: request.url,
      };
      return new Response(JSON.stringify(body), { status: 201, headers });
    }
    if (url.pathname === "/stream") {
      const chunks = ["one,", "two,", "three"];
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const next = chunks.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(next));
        },
      });
      return new Response(stream, {
        headers: { "content-type": "text/plain" },
      });
    }
    if (url.pathname === "/boom") throw new Error("handler exploded");
    return new Response("Not found", { status: 404 });
  }

  onCommit(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  isInvalidatedBy(reads: ReadSet, writes: WriteSet): boolean {
    const written = tablesOf(writes);
    return [...tablesOf(reads)].some((table) => written.has(table));
  }

  async authenticate(token: string): Promise<CallerIdentity> {
    await Promise.resolve();
    if (token !== GOOD_TOKEN) throw new Error("Could not verify the token");
    return {
      kind: "user",
      tokenIdentifier: USER_TOKEN_IDENTIFIER,
      attributes: {
        issuer: "https://issuer.test",
        subject: "user-1",
        tokenIdentifier: USER_TOKEN_IDENTIFIER,
      },
    };
  }

  isAdminKey(key: string): boolean {
    return key === ADMIN_KEY;
  }

  functionKind(udfPath: string): FunctionKind | undefined {
    return KINDS[udfPath];
  }

  /** Commits a write outside any client (another process, a scheduled job). */
  sendFromServer(body: string): void {
    this.messages.push({
      id: this.messages.length + 1,
      body,
      author: "server",
    });
    this.commit("messages");
  }

  private commit(...tables: string[]): Timestamp {
    this.ts += 10n;
    const commit: Commit = {
      ts: this.ts,
      writes: { tables: new Set(tables) } as unknown as WriteSet,
    };
    for (const listener of this.listeners) listener(commit);
    return this.ts;
  }

  private query(call: FunctionCall): QueryOutcome {
    switch (call.udfPath) {
      case "messages:list":
        return {
          ...ok(this.messages.map((m) => ({ ...m }))),
          readSet: readSet("messages"),
        };
      case "counter:get":
        return { ...ok(this.counter), readSet: readSet("counter") };
      case "auth:whoami":
        return { ...ok(describe(call.identity)), readSet: readSet() };
      case "messages:boom":
        return {
          ...convexError("QUERY_FAILED", "query refused"),
          readSet: readSet("messages"),
        };
      default:
        return {
          ok: false,
          errorMessage: `Could not find public function for '${call.udfPath}'`,
          logLines: [],
          readSet: readSet(),
        };
    }
  }

  private async mutate(
    call: FunctionCall,
    key: string | undefined,
  ): Promise<Result> {
    await Promise.resolve();
    // Not a function failure: the engine itself breaks (a bug, a full disk).
    if (call.udfPath === "messages:crash") throw new Error("engine exploded");
    if (key !== undefined)
      this.applications.set(key, (this.applications.get(key) ?? 0) + 1);
    let outcome: FunctionOutcome;
    let ts = this.ts;
    const args = call.args as { body?: string };
    switch (call.udfPath) {
      case "messages:send": {
        const id = this.messages.length + 1;
        this.messages.push({
          id,
          body: String(args.body ?? ""),
          author: describe(call.identity) ?? "anonymous",
        });
        ts = this.commit("messages");
        outcome = ok(id);
        break;
      }
      case "counter:increment":
        this.counter += 1;
        ts = this.commit("counter");
        outcome = ok(this.counter);
        break;
      case "messages:noop":
        outcome = ok(null);
        break;
      case "messages:fail":
        outcome = convexError("BAD_INPUT", "mutation refused");
        break;
      default:
        outcome = {
          ok: false,
          errorMessage: `Could not find public function for '${call.udfPath}'`,
          logLines: [],
        };
    }
    if (key !== undefined) await this.hooks.afterMutationCommit?.(key);
    return { ...outcome, ts };
  }
}

function describe(identity: CallerIdentity): string | null {
  if (identity.kind === "user") return identity.tokenIdentifier;
  return identity.kind === "admin" ? "admin" : null;
}
