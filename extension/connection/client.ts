/**
 * The part of the official ConvexClient the control plane uses, as an interface
 * so the plane's logic is tested against a fake; `createConvexClient` makes the
 * real one.
 */
import { ConvexClient } from "convex/browser";
import type { FunctionReference } from "convex/server";
import WebSocket from "ws";
import { convexLoggerFor, type Logger } from "../util/log";

type Args = Record<string, unknown>;

export interface ClientLike {
  query(ref: FunctionReference<"query">, args: Args): Promise<unknown>;
  mutation(ref: FunctionReference<"mutation">, args: Args): Promise<unknown>;
  action(ref: FunctionReference<"action">, args: Args): Promise<unknown>;
  onUpdate(
    ref: FunctionReference<"query">,
    args: Args,
    onValue: (value: unknown) => unknown,
    onError?: (error: Error) => unknown,
  ): () => void;
  setAuth(
    fetchToken: (args: {
      forceRefreshToken: boolean;
    }) => Promise<string | null>,
    onChange?: (isAuthenticated: boolean) => void,
  ): void;
  connectionState(): { isWebSocketConnected: boolean };
  subscribeToConnectionState(
    listener: (state: { isWebSocketConnected: boolean }) => void,
  ): () => void;
  close(): Promise<void>;
}

export type ClientFactory = (url: string) => ClientLike;

/**
 * The official client over the `ws` package: the extension host (VS Code's and
 * code-server's Node 20) has no global WebSocket. It reconnects by itself, to
 * the same URL, with backoff.
 */
export function convexClientFactory(log: Logger): ClientFactory {
  return (url) =>
    new ConvexClient(url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      // A local backend's URL is http://127.0.0.1:PORT, which the check refuses.
      skipConvexDeploymentUrlCheck: true,
      logger: convexLoggerFor(log),
    });
}
