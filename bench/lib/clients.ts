/** The official Convex clients, configured for a local deployment from Node. */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";

export function wsClient(url: string): ConvexClient {
  return new ConvexClient(url, {
    // Node 20 has no global WebSocket; the client accepts any implementation of its API.
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    skipConvexDeploymentUrlCheck: true,
    logger: false,
  });
}

export function httpClient(url: string): ConvexHttpClient {
  return new ConvexHttpClient(url, {
    skipConvexDeploymentUrlCheck: true,
    logger: false,
  });
}
