/**
 * The fan-out floor's server (see broadcastFloor.ts), run as its own process:
 *   node --import tsx bench/lib/broadcastServer.ts
 * A bare `ws` server: each text frame from a client is a message
 * `{"body","n"}`; the server keeps the last 20 and sends every other socket a
 * Transition-shaped JSON frame holding them, serialized once per message, as the
 * local backend does for a query result shared by all subscribers. No database,
 * no functions, no fsync: what remains is the cost of the sockets themselves.
 * Prints `PORT <n>` once listening.
 */
import { WebSocketServer, type WebSocket } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
const latest: { body: string; n: number }[] = [];

server.on("connection", (socket: WebSocket) => {
  socket.on("message", (data: Buffer) => {
    latest.unshift(JSON.parse(data.toString("utf8")) as never);
    latest.length = Math.min(latest.length, 20);
    const frame = JSON.stringify({
      type: "Transition",
      modifications: [{ type: "QueryUpdated", queryId: 0, value: latest }],
    });
    for (const client of server.clients)
      if (client !== socket) client.send(frame);
  });
});
server.on("listening", () => {
  const address = server.address();
  if (typeof address === "object" && address !== null)
    process.stdout.write(`PORT ${address.port}\n`);
});
