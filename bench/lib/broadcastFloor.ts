/**
 * The floor under the fan-out latency: the same pacing and "until all" measure as
 * fanout.ts, against broadcastServer.ts, a bare `ws` broadcast in its own process.
 * The local backend cannot beat this on the same machine: it writes the same frames
 * to the same number of sockets, after also running the mutation, committing it
 * durably and re-running the query.
 */
import { join } from "node:path";
import WebSocket from "ws";
import { ROOT, spawnTs, waitForExit } from "./processes";
import { openSocket } from "./rawSubscriber";
import { sleep, summarize, type Summary } from "./stats";

export type FloorResult = { subscribers: number; all: Summary; each: Summary };

type Frame = { modifications: { value: { body: string; n: number }[] }[] };

async function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawnTs(join(ROOT, "bench", "lib", "broadcastServer.ts"), [], {
    stdout: "pipe",
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", () => reject(new Error("broadcast server exited")));
  });
  return {
    url: `ws://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGTERM");
      await waitForExit(child, 5000);
    },
  };
}

export async function measureBroadcastFloor(plan: {
  subscribers: number;
  warmup: number;
  mutations: number;
  minGapMs: number;
}): Promise<FloorResult> {
  const server = await startServer();
  const sockets: WebSocket[] = [];
  const received = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const each: number[] = [];
  try {
    for (let i = 0; i < plan.subscribers; i++) {
      const socket = await openSocket(server.url);
      const seen = new Set<string>();
      socket.on("message", (data: Buffer) => {
        const now = performance.now();
        const frame = JSON.parse(data.toString("utf8")) as Frame;
        for (const m of frame.modifications[0]?.value ?? []) {
          if (seen.has(m.body)) continue;
          seen.add(m.body);
          if (Number(m.body.slice(1)) >= plan.warmup) each.push(now - m.n);
          received.set(m.body, (received.get(m.body) ?? 0) + 1);
          lastAt.set(m.body, now);
        }
      });
      sockets.push(socket);
    }
    const writer = await openSocket(server.url);
    sockets.push(writer);
    const all: number[] = [];
    for (let seq = 0; seq < plan.warmup + plan.mutations; seq++) {
      const body = `m${seq}`;
      const n = performance.now();
      writer.send(JSON.stringify({ body, n }));
      const deadline = n + 2000;
      while (
        (received.get(body) ?? 0) < plan.subscribers &&
        performance.now() < deadline
      )
        await sleep(0);
      if (seq >= plan.warmup && received.get(body) === plan.subscribers)
        all.push((lastAt.get(body) ?? n) - n);
      await sleep(plan.minGapMs);
    }
    return {
      subscribers: plan.subscribers,
      all: summarize(all),
      each: summarize(each),
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
  }
}
