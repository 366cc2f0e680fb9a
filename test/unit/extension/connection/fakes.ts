/**
 * Stand-ins for what the control plane talks to: a ConvexClient whose socket the
 * test opens and closes, a local backend that "moves" to other ports, and a
 * token exchange. Function results are looked up by function name ("me:get").
 */
import { getFunctionName, type FunctionReference } from "convex/server";
import type { ClientLike } from "../../../../extension/connection/client";
import type {
  BackendState,
  LocalBackendLike,
} from "../../../../extension/connection/localBackend";
import type { Exchanged } from "../../../../extension/connection/signIn";
import type { Logger } from "../../../../extension/util/log";

type Args = Record<string, unknown>;
export type Handler = (args: Args) => unknown;

export const DEFAULT_HANDLERS: Record<string, Handler> = {
  "me:get": () => ({
    kind: "user",
    userId: "u1",
    name: "Ada",
    email: "ada@localhost",
  }),
  "orgs:listMine": () => [{ orgId: "o1", name: "Local", role: "owner" }],
  "projects:list": () => [
    {
      _id: "p1",
      _creationTime: 1,
      orgId: "o1",
      name: "My project",
      key: "SB",
      nextTaskNumber: 1,
    },
  ],
};

interface Subscription {
  name: string;
  args: Args;
  onValue: (value: unknown) => unknown;
  onError?: (error: Error) => unknown;
  active: boolean;
}

export class FakeClient implements ClientLike {
  connected = false;
  closed = false;
  readonly subscriptions: Subscription[] = [];
  fetchToken:
    ((args: { forceRefreshToken: boolean }) => Promise<string | null>) | null =
    null;
  private readonly stateListeners = new Set<
    (state: { isWebSocketConnected: boolean }) => void
  >();
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly url: string,
    readonly handlers: Record<string, Handler>,
  ) {}

  setConnected(connected: boolean): void {
    this.connected = connected;
    for (const listener of [...this.stateListeners])
      listener({ isWebSocketConnected: connected });
    if (connected) for (const run of this.waiting.splice(0)) run();
  }

  active(): Subscription[] {
    return this.subscriptions.filter((s) => s.active);
  }

  /** Pushes a new result to every active subscription of `name`. */
  push(name: string, value: unknown): void {
    for (const s of this.active()) if (s.name === name) s.onValue(value);
  }

  query(ref: FunctionReference<"query">, args: Args): Promise<unknown> {
    return this.run(getFunctionName(ref), args);
  }
  mutation(ref: FunctionReference<"mutation">, args: Args): Promise<unknown> {
    return this.run(getFunctionName(ref), args);
  }
  action(ref: FunctionReference<"action">, args: Args): Promise<unknown> {
    return this.run(getFunctionName(ref), args);
  }

  onUpdate(
    ref: FunctionReference<"query">,
    args: Args,
    onValue: (value: unknown) => unknown,
    onError?: (error: Error) => unknown,
  ): () => void {
    const subscription: Subscription = {
      name: getFunctionName(ref),
      args,
      onValue,
      ...(onError === undefined ? {} : { onError }),
      active: true,
    };
    this.subscriptions.push(subscription);
    this.whenConnected(() => {
      if (!subscription.active) return;
      try {
        subscription.onValue(this.result(subscription.name, args));
      } catch (error) {
        subscription.onError?.(error as Error);
      }
    });
    return () => {
      subscription.active = false;
    };
  }

  setAuth(
    fetchToken: (args: {
      forceRefreshToken: boolean;
    }) => Promise<string | null>,
  ): void {
    this.fetchToken = fetchToken;
  }

  connectionState(): { isWebSocketConnected: boolean } {
    return { isWebSocketConnected: this.connected };
  }

  subscribeToConnectionState(
    listener: (state: { isWebSocketConnected: boolean }) => void,
  ): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    for (const s of this.subscriptions) s.active = false;
    return Promise.resolve();
  }

  private run(name: string, args: Args): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.whenConnected(() => {
        try {
          resolve(this.result(name, args));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  private whenConnected(run: () => void): void {
    if (this.closed) return;
    if (this.connected) queueMicrotask(run);
    else this.waiting.push(run);
  }

  private result(name: string, args: Args): unknown {
    const handler = this.handlers[name];
    if (handler === undefined) throw new Error(`no handler for ${name}`);
    return handler(args);
  }
}

/** Creates clients that connect at once unless `autoConnect` is turned off. */
export class ClientPool {
  readonly clients: FakeClient[] = [];
  autoConnect = true;
  handlers: Record<string, Handler> = { ...DEFAULT_HANDLERS };

  readonly create = (url: string): FakeClient => {
    const client = new FakeClient(url, this.handlers);
    this.clients.push(client);
    if (this.autoConnect) queueMicrotask(() => client.setConnected(true));
    return client;
  };

  get last(): FakeClient {
    const client = this.clients.at(-1);
    if (client === undefined) throw new Error("no client yet");
    return client;
  }
}

export class FakeLocalBackend implements LocalBackendLike {
  readonly dataDir = "/data/backend";
  disposed = false;
  starts = 0;
  token: string | null = "sbu_owner";
  next: BackendState | Error = state(3210);

  ensureRunning(): Promise<BackendState> {
    this.starts++;
    const next = this.next;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
  ownerToken(): string | null {
    return this.token;
  }
  dispose(): void {
    this.disposed = true;
  }
}

export function state(port: number): BackendState {
  return {
    pid: 1,
    url: `http://127.0.0.1:${port}`,
    siteUrl: `http://127.0.0.1:${port + 1}`,
    startedAt: 0,
  };
}

export function exchanged(
  siteUrl: string,
  kind: "user" | "agent" = "user",
): Exchanged {
  return {
    token: `jwt@${siteUrl}`,
    expiresAt: Date.now() + 3_600_000,
    kind,
    subject: "u1",
  };
}

export class MemoryLog implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
  text(): string {
    return this.lines.join("\n");
  }
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  what: string,
  timeoutMs = 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
