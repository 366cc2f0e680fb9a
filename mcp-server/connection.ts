/**
 * The link to the control plane: finds the backend (SWITCHBOARD_URL or the
 * local backend's state file), exchanges the agent secret for a JWT, and
 * holds one official ConvexClient (WebSocket) authenticated with it. It
 * connects lazily, on the first call, so the MCP server starts (and answers
 * `initialize`) even while the backend is down; a failed connect is
 * forgotten and retried on the next call, rediscovering a local backend that
 * came back on other ports.
 *
 * A call fails with BackendUnavailableError, saying where it looked, once
 * the client has been without a connection for `connectTimeoutMs`, instead
 * of queueing forever as the ConvexClient would.
 */
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import type { FunctionReference } from "convex/server";
import WebSocket from "ws";
import { findRunningBackend } from "../local-backend/discovery";
import type { BackendLocation, McpServerConfig } from "./config";
import { BackendUnavailableError, NotConfiguredError } from "./errors";
import { convexLogger, type Log } from "./log";
import { exchangeSecret, TokenSource, type Exchanged } from "./tokens";

type Located = { url: string; siteUrl: string; where: string };

type Session = {
  client: ConvexClient;
  tokens: TokenSource;
  located: Located;
  /** When the WebSocket was last seen down (null while connected). */
  disconnectedSince: number | null;
};

type Args = Record<string, unknown>;

/** Where the backend is now. A local backend is looked up on every connect. */
export async function locate(backend: BackendLocation): Promise<Located> {
  if (backend.kind === "url") {
    return {
      url: backend.url,
      siteUrl: backend.siteUrl,
      where: backend.source,
    };
  }
  const state = await findRunningBackend(backend.dataDir);
  if (state === null) {
    throw new BackendUnavailableError(
      `No Switchboard local backend is running for ${backend.dataDir}: looked for a live backend in ${join(backend.dataDir, "state.json")} (SWITCHBOARD_DATA_DIR, default ~/.switchboard/local). Start one (npm start, or switchboard-backend serve) or set SWITCHBOARD_URL.`,
    );
  }
  return {
    url: state.url,
    siteUrl: state.siteUrl,
    where: `the local backend found in ${join(backend.dataDir, "state.json")}`,
  };
}

export class Connection {
  private session: Promise<Session> | null = null;
  private closed = false;

  constructor(
    private readonly config: McpServerConfig,
    private readonly log: Log,
  ) {}

  /** Who the token belongs to and, for agents, its scopes. */
  async identity(): Promise<Exchanged> {
    return (await this.ready()).tokens.identity;
  }

  async query(ref: FunctionReference<"query">, args: Args): Promise<unknown> {
    const session = await this.ready();
    return await this.guard(session, session.client.query(ref, args));
  }

  async mutation(
    ref: FunctionReference<"mutation">,
    args: Args,
  ): Promise<unknown> {
    const session = await this.ready();
    return await this.guard(session, session.client.mutation(ref, args));
  }

  /**
   * A live subscription: `onValue` runs with every new result, `onError` on
   * a query error or when the backend stays unreachable. Returns the stop.
   */
  async watch(
    ref: FunctionReference<"query">,
    args: Args,
    onValue: (value: unknown) => void,
    onError: (error: unknown) => void,
  ): Promise<() => void> {
    const session = await this.ready();
    const unsubscribe = session.client.onUpdate(ref, args, onValue, onError);
    const stopWatchdog = this.watchdog(session, onError);
    return () => {
      stopWatchdog();
      unsubscribe();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = null;
    if (session !== null) {
      await session.then(
        async ({ client }) => await client.close(),
        () => undefined,
      );
    }
  }

  private ready(): Promise<Session> {
    if (this.closed) {
      return Promise.reject(new Error("The connection is closed."));
    }
    this.session ??= this.open().catch((error: unknown) => {
      this.session = null;
      throw error;
    });
    return this.session;
  }

  private async open(): Promise<Session> {
    const secret = this.config.token;
    if (secret === undefined) {
      throw new NotConfiguredError(
        "SWITCHBOARD_TOKEN is not set: give this MCP server an agent token (switchboard-mcp setup-claude does it for Claude Code).",
      );
    }
    const located = await locate(this.config.backend);
    const exchange = () =>
      exchangeSecret(
        located.siteUrl,
        secret,
        located.where,
        this.config.connectTimeoutMs,
      );
    const tokens = new TokenSource(await exchange(), exchange);
    const client = new ConvexClient(located.url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      skipConvexDeploymentUrlCheck: true,
      logger: convexLogger(this.log),
    });
    const session: Session = {
      client,
      tokens,
      located,
      disconnectedSince: Date.now(),
    };
    client.subscribeToConnectionState((state) => {
      session.disconnectedSince = state.isWebSocketConnected
        ? null
        : (session.disconnectedSince ?? Date.now());
    });
    client.setAuth(
      async ({ forceRefreshToken }) => {
        try {
          return await tokens.token(forceRefreshToken);
        } catch (error) {
          // Unauthenticated from here on; calls then fail with a clear UNAUTHENTICATED.
          this.log(`token refresh failed: ${String(error)}`);
          return null;
        }
      },
      (authenticated) => {
        if (!authenticated) this.log("the backend did not accept the token");
      },
    );
    this.log(`connecting to ${located.url} (${located.where})`);
    return session;
  }

  /** `promise`, unless the backend stays unreachable for connectTimeoutMs first. */
  private async guard<T>(session: Session, promise: Promise<T>): Promise<T> {
    let stop: () => void = () => undefined;
    const unreachable = new Promise<never>((_, reject) => {
      stop = this.watchdog(session, reject);
    });
    // The call may still settle after we gave up on it; nobody awaits it then.
    promise.catch(() => undefined);
    try {
      return await Promise.race([promise, unreachable]);
    } finally {
      stop();
    }
  }

  private watchdog(
    session: Session,
    onUnreachable: (error: BackendUnavailableError) => void,
  ): () => void {
    const limit = this.config.connectTimeoutMs;
    const timer = setInterval(
      () => {
        const since = session.disconnectedSince;
        if (since === null || Date.now() - since < limit) return;
        clearInterval(timer);
        this.forget(session);
        onUnreachable(
          new BackendUnavailableError(
            `Switchboard at ${session.located.url} (${session.located.where}) has not answered for ${Math.round(limit / 1000)} s; a change you asked for may still be applied once it is back.`,
          ),
        );
      },
      Math.min(500, limit),
    );
    return () => clearInterval(timer);
  }

  /** Drops a session that lost its backend, so the next call locates it again. */
  private forget(session: Session): void {
    const current = this.session;
    current?.then(
      (found) => {
        if (found !== session || this.session !== current) return;
        this.session = null;
        session.client.close().catch(() => undefined);
      },
      () => undefined,
    );
  }
}
