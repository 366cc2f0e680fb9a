/**
 * A TCP relay between a client and the backend, for faults a real network
 * has and a test cannot otherwise time: replies that never arrive (the
 * request went through, the answer was lost) and connections cut at will.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export class TcpProxy {
  /** While true, bytes from the backend are dropped instead of relayed. */
  swallowReplies = false;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private port = 0;

  private constructor(private readonly target: URL) {
    this.server = createServer((client) => this.relay(client));
  }

  /** Listens on a free loopback port and relays every connection to `targetUrl`. */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(new URL(targetUrl));
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(0, "127.0.0.1", () => resolve());
    });
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** The URL to give clients instead of the backend's. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private relay(client: Socket): void {
    const upstream = connect(Number(this.target.port), this.target.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("close", () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      // A refused or reset connection ends the pair; the client sees it closed.
      socket.on("error", () => undefined);
    }
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      if (!this.swallowReplies) client.write(chunk);
    });
  }

  /** Cuts every relayed connection, and relays replies again for new ones. */
  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.swallowReplies = false;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
