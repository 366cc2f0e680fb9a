/**
 * The part of the official ConvexClient the control plane uses, as an interface
 * so the plane's logic is tested against a fake. convexClient.ts makes the real
 * one; the extension loads it through `lazyClientFactory`.
 */
import type { FunctionReference } from "convex/server";
import type { Logger } from "../util/log";
import type { convexClientFactory } from "./convexClient";

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

type ConvexClientBundle = { convexClientFactory: typeof convexClientFactory };

/**
 * The real client's factory from its own bundle (dist/convexClient.js), read
 * on the first connection rather than at activation. A failing load throws
 * from that connection attempt, which the plane reports and retries.
 */
export function lazyClientFactory(
  bundlePath: string,
  log: Logger,
): ClientFactory {
  let factory: ClientFactory | undefined;
  return (url) => {
    if (factory === undefined) {
      // Our own file next to dist/extension.js, loaded at run time (not bundled there).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
      const bundle = require(bundlePath) as ConvexClientBundle;
      factory = bundle.convexClientFactory(log);
    }
    return factory(url);
  };
}
