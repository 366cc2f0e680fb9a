/**
 * The WebSocket endpoint of the sync protocol, mounted on the API's
 * http.Server at the path the official client dials: `/api/<version>/sync`
 * (client.ts). Every connection gets its own `SyncSession`; whatever one
 * connection does (garbage frames, oversized frames, a throwing handler) ends
 * at most that connection.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { Engine } from "../engine/types";
import { MAX_MESSAGE_BYTES, encodeServerMessage } from "./syncProtocol";
import { stderrLogger, type Logger } from "./log";
import { CLOSE_INTERNAL_ERROR, SyncSession } from "./syncSession";
import { writesPerTurn } from "./writesPerTurn";

const SYNC_PATH = /^\/api\/[^/]+\/sync$/;

export type SyncServerOptions = {
  /**
   * How often to send protocol Pings and WebSocket pings. The client gives up
   * on a server silent for 60 s (web_socket_manager.ts); Convex pings every 15 s.
   */
  heartbeatMs?: number;
  log?: Logger;
};

type Connection = { session: SyncSession; alive: boolean };

export class SyncServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(
    private readonly engine: Engine,
    options: SyncServerOptions = {},
  ) {
    this.log = options.log ?? stderrLogger("local-backend/sync");
    // Frames a little over the protocol limit still reach the parser, which answers with a
    // FatalError; anything beyond this hard cap is cut off by `ws` with close code 1009.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_MESSAGE_BYTES + 1024 * 1024,
    });
    // For an upgrade, req.socket is the socket the WebSocket runs on.
    this.wss.on("connection", (ws, req: IncomingMessage) =>
      this.accept(ws, req.socket),
    );
    this.heartbeat = setInterval(
      () => this.beat(),
      options.heartbeatMs ?? 15_000,
    );
    this.heartbeat.unref();
  }

  /** Routes upgrade requests on `server` for the sync path; refuses all others. */
  attach(server: Server): void {
    server.on(
      "upgrade",
      (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on("error", (error) => this.log("upgrade socket error", error));
        const path = new URL(req.url ?? "/", "http://localhost").pathname;
        if (!SYNC_PATH.test(path)) {
          socket.end(
            "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
          );
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) =>
          this.wss.emit("connection", ws, req),
        );
      },
    );
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Cuts every connection without a close handshake, as a network failure would. */
  dropAll(): number {
    const count = this.connections.size;
    for (const ws of this.connections.keys()) ws.terminate();
    return count;
  }

  /** Closes every connection ("going away": clients reconnect) and stops accepting new ones. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    const closed = [...this.connections.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once("close", () => resolve());
          ws.close(1001, "Server shutting down");
          // A peer that never answers the close handshake is cut off.
          setTimeout(() => ws.terminate(), 1000).unref();
        }),
    );
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, socket: Duplex): void {
    const session = new SyncSession(
      this.engine,
      {
        send: (message) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(encodeServerMessage(message), (error) => {
            if (error) this.log("sync send failed", error);
          });
        },
        holdForTurn: writesPerTurn(socket),
        close: (code, reason) => {
          if (
            ws.readyState === WebSocket.OPEN ||
            ws.readyState === WebSocket.CONNECTING
          )
            ws.close(code, reason);
        },
      },
      this.log,
    );
    const connection: Connection = { session, alive: true };
    this.connections.set(ws, connection);
    ws.on("pong", () => {
      connection.alive = true;
    });
    ws.on("message", (data: RawData, isBinary: boolean) => {
      try {
        if (isBinary)
          session.fatal("binary frames are not part of the sync protocol");
        else session.receive(toText(data));
      } catch (error) {
        this.log("sync message handler threw", error);
        session.dispose();
        ws.close(CLOSE_INTERNAL_ERROR, "InternalServerError");
      }
    });
    // `ws` emits "error" for protocol violations such as oversized frames, then closes.
    ws.on("error", (error) => this.log("sync socket error", error));
    ws.on("close", () => {
      this.connections.delete(ws);
      session.dispose();
    });
  }

  private beat(): void {
    for (const [ws, connection] of this.connections) {
      if (!connection.alive) {
        ws.terminate();
        continue;
      }
      if (ws.readyState !== WebSocket.OPEN) continue;
      connection.alive = false;
      ws.ping();
      connection.session.ping();
    }
  }
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
