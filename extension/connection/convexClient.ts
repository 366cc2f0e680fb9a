/**
 * The official ConvexClient over the `ws` package: dist/convexClient.js, its own
 * bundle (scripts/build.mjs), loaded by client.ts's lazyClientFactory when the
 * plane first connects, so neither library is read while VS Code activates the
 * extension (they are 170 of the activation bundle's 270 KB).
 */
import { ConvexClient } from "convex/browser";
import WebSocket from "ws";
import { convexLoggerFor, type Logger } from "../util/log";
import type { ClientFactory } from "./client";

/**
 * The extension host (VS Code's and code-server's Node 20) has no global
 * WebSocket. The client reconnects by itself, to the same URL, with backoff.
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
