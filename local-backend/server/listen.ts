/**
 * Starts the two listeners a Convex deployment has: the deployment URL (HTTP
 * API + sync WebSocket on one http.Server) and the site URL (HTTP actions).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Engine } from "../engine/types";
import {
  createApiHandler,
  type FunctionKindLookup,
  type HttpApiOptions,
} from "./httpApi";
import { createSiteHandler } from "./siteServer";
import { SyncServer } from "./syncServer";
import { stderrLogger, type Logger } from "./log";

export type ListenOptions = {
  /** Interface to bind; loopback unless asked otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  sitePort?: number;
  heartbeatMs?: number;
  version?: HttpApiOptions["version"];
  log?: Logger;
};

export type RunningServers = {
  /** The deployment URL for ConvexClient / ConvexHttpClient. */
  url: string;
  /** Where convex/http.ts routes are served. */
  siteUrl: string;
  /** Number of open sync connections. */
  syncConnections(): number;
  /** Cuts all sync connections abruptly (tests: simulates a network drop). */
  dropSyncConnections(): number;
  close(): Promise<void>;
};

export async function startServers(
  engine: Engine & FunctionKindLookup,
  options: ListenOptions = {},
): Promise<RunningServers> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? stderrLogger("local-backend");
  const api = createServer(
    createApiHandler(engine, { version: options.version, log }),
  );
  const sync = new SyncServer(engine, {
    heartbeatMs: options.heartbeatMs,
    log,
  });
  sync.attach(api);
  const site = createServer(createSiteHandler(engine, { log }));
  for (const server of [api, site]) {
    server.on("clientError", (_error, socket) => socket.destroy());
  }

  try {
    const apiPort = await listen(api, host, options.port ?? 0);
    const sitePort = await listen(site, host, options.sitePort ?? 0);
    const urlHost = host.includes(":") ? `[${host}]` : host;
    return {
      url: `http://${urlHost}:${apiPort}`,
      siteUrl: `http://${urlHost}:${sitePort}`,
      syncConnections: () => sync.connectionCount,
      dropSyncConnections: () => sync.dropAll(),
      close: async () => {
        await sync.close();
        await Promise.all([stop(api), stop(site)]);
      },
    };
  } catch (error) {
    await sync.close();
    await Promise.all([stop(api), stop(site)]);
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets would otherwise hold close() open.
    server.closeAllConnections();
  });
}
