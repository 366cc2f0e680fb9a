/** A connection's writes in one event-loop turn leave in one syscall, in order. */
import { once } from "node:events";
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { writesPerTurn } from "../../../../local-backend/server/writesPerTurn";

type Pair = { server: Socket; client: Socket; close(): void };

async function socketPair(): Promise<Pair> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const { port } = listener.address() as AddressInfo;
  const accepted = once(listener, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  const [[server]] = await Promise.all([accepted, once(client, "connect")]);
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

/** Counts the socket's trips to the kernel: `_write` per chunk, `_writev` per batch. */
function countWrites(socket: Socket): { single: number; batched: number[] } {
  const counts = { single: 0, batched: [] as number[] };
  const write = socket._write.bind(socket);
  const writev = socket._writev?.bind(socket);
  socket._write = (chunk, encoding, callback) => {
    counts.single += 1;
    write(chunk, encoding, callback);
  };
  socket._writev = (chunks, callback) => {
    counts.batched.push(chunks.length);
    writev?.(chunks, callback);
  };
  return counts;
}

async function received(socket: Socket, bytes: number): Promise<string> {
  let text = "";
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.length >= bytes) return text;
  }
  return text;
}

let pair: Pair | undefined;
afterEach(() => pair?.close());

describe("writesPerTurn", () => {
  test("writes made in one turn go out as one batch, in order", async () => {
    pair = await socketPair();
    const counts = countWrites(pair.server);
    const hold = writesPerTurn(pair.server);
    hold();
    pair.server.write("response;");
    hold();
    pair.server.write("transition;");
    expect(counts).toEqual({ single: 0, batched: [] });
    const text = await received(pair.client, 20);
    expect(text).toBe("response;transition;");
    expect(counts).toEqual({ single: 0, batched: [2] });
  });

  test("the next turn is held again, not left corked", async () => {
    pair = await socketPair();
    const counts = countWrites(pair.server);
    const hold = writesPerTurn(pair.server);
    hold();
    pair.server.write("a;");
    await new Promise((resolve) => setImmediate(resolve));
    expect(pair.server.writableCorked).toBe(0);
    hold();
    pair.server.write("b;");
    pair.server.write("c;");
    expect(pair.server.writableCorked).toBe(1);
    expect(await received(pair.client, 6)).toBe("a;b;c;");
    // One buffered chunk goes out through _write, two through one _writev.
    expect(counts).toEqual({ single: 1, batched: [2] });
  });
});
