/**
 * One signed-in connection: a TokenSource for the secret and one ConvexClient
 * whose socket state is tracked. The plane holds one link at a time and swaps
 * it whole (restart, backend moved), so nothing of an old connection leaks.
 */
import type { FunctionArgs, FunctionReturnType } from "convex/server";
import type { Query } from "../contracts";
import { errorMessage } from "../util/errors";
import type { Logger } from "../util/log";
import type { ClientFactory, ClientLike } from "./client";
import type { SessionBase } from "./sessionLoader";
import {
  signIn,
  windowExchange,
  type Exchange,
  type TokenSource,
} from "./signIn";

export interface Link {
  readonly client: ClientLike;
  readonly tokens: TokenSource;
  readonly base: SessionBase;
  /** When the socket was last seen down; null while it is up. */
  disconnectedSince: number | null;
  closed: boolean;
  stopWatchingState: () => void;
}

export interface LinkDeps {
  readonly log: Logger;
  readonly createClient: ClientFactory;
  /** The raw secret -> JWT exchange; by default POST {siteUrl}/auth/token. */
  readonly exchange?: Exchange;
  /** After the link's own bookkeeping, for every socket state change. */
  readonly onSocket: (link: Link, connected: boolean) => void;
  /** A JWT refresh failed; the client continues unauthenticated. */
  readonly onTokenFailure: (link: Link, error: unknown) => void;
}

/** Signs in at `base` (throws if refused or unreachable) and opens its client. */
export async function openLink(
  base: SessionBase,
  secret: string,
  deps: LinkDeps,
): Promise<Link> {
  const where =
    base.backend === "local"
      ? `the local backend in ${base.dataDir}`
      : base.url;
  deps.log.info(`Signing in at ${base.siteUrl} (${where})`);
  const exchange = windowExchange(
    {
      backend: base.backend,
      ...(base.dataDir === undefined ? {} : { dataDir: base.dataDir }),
    },
    deps.exchange,
  );
  const tokens = await signIn(exchange, base.siteUrl, secret, where);
  const client = deps.createClient(base.url);
  const link: Link = {
    client,
    tokens,
    base,
    disconnectedSince: Date.now(),
    closed: false,
    stopWatchingState: () => undefined,
  };
  client.setAuth(
    async ({ forceRefreshToken }) => {
      try {
        return await tokens.token(forceRefreshToken);
      } catch (error) {
        deps.onTokenFailure(link, error);
        return null;
      }
    },
    (authenticated) => {
      if (!authenticated && !link.closed) {
        deps.log.warn(`${base.url} did not accept the sign-in`);
      }
    },
  );
  link.stopWatchingState = client.subscribeToConnectionState((state) => {
    const connected = state.isWebSocketConnected;
    if (connected) link.disconnectedSince = null;
    else link.disconnectedSince ??= Date.now();
    deps.onSocket(link, connected);
  });
  deps.log.info(`Connecting to ${base.url}`);
  return link;
}

export function closeLink(link: Link, log: Logger): void {
  if (link.closed) return;
  link.closed = true;
  link.stopWatchingState();
  link.client
    .close()
    .catch((error: unknown) =>
      log.warn(
        `Closing the client for ${link.base.url} failed: ${errorMessage(error)}`,
      ),
    );
}

/** A call could not be made: not connected, or the connection stayed down too long. */
export class NotConnectedError extends Error {
  override name = "NotConnectedError";
}

/**
 * `promise`, unless the socket stays down for `limitMs` or the link is closed
 * first: the official client would otherwise queue the call forever.
 * `mayApply` is added for writes, which may still land once the backend is back.
 */
export async function guardCall<T>(
  link: Link,
  promise: Promise<T>,
  what: string,
  limitMs: number,
  mayApply = "",
): Promise<T> {
  // The call may still settle after we gave up on it; nobody listens then.
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setInterval> | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setInterval(
      () => {
        const since = link.disconnectedSince;
        if (link.closed) {
          reject(
            new NotConnectedError(
              `${what}: the connection was closed before an answer came; try again.${mayApply}`,
            ),
          );
        } else if (since !== null && Date.now() - since >= limitMs) {
          reject(
            new NotConnectedError(
              `${what}: Switchboard at ${link.base.url} has not answered for ${Math.round(limitMs / 1000)} s.${mayApply}`,
            ),
          );
        }
      },
      Math.min(250, limitMs),
    );
  });
  try {
    return await Promise.race([promise, watchdog]);
  } finally {
    clearInterval(timer);
  }
}

/** The link's client as the session loader's query function, every call guarded. */
export function guardedQuery(link: Link, what: string, limitMs: number) {
  return <Q extends Query>(
    ref: Q,
    args: FunctionArgs<Q>,
  ): Promise<FunctionReturnType<Q>> =>
    guardCall(link, link.client.query(ref, args), what, limitMs);
}
