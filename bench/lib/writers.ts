/**
 * Sustained durable mutations/s: W official clients, each awaiting `messages:send` in a
 * loop. The backend acknowledges a mutation only after its SQLite commit (group commit)
 * returned, so every counted mutation is durable.
 */
import { send } from "./api";
import { httpClient, wsClient } from "./clients";
import { runLoops, type Throughput } from "./loops";

export type WriterKind = "ws" | "http";

export type WritersResult = Throughput & {
  /** Backend process CPU per acknowledged mutation: 1000 / this bounds mutations/s per core. */
  serverCpuMsPerMutation: number;
  /** This process's CPU (the 32 clients) per mutation; it competes for the same cores. */
  clientCpuMsPerMutation: number;
};

type Writer = {
  mutate(channel: string, k: number): Promise<unknown>;
  close(): Promise<void>;
};

function makeWriter(url: string, kind: WriterKind): Writer {
  if (kind === "ws") {
    const client = wsClient(url);
    return {
      mutate: (channel, k) =>
        client.mutation(send, { channel, body: `b${k}`, n: k }),
      close: () => client.close(),
    };
  }
  const client = httpClient(url);
  return {
    mutate: (channel, k) =>
      client.mutation(send, { channel, body: `b${k}`, n: k }),
    close: () => Promise.resolve(),
  };
}

export async function measureWriters(
  url: string,
  kind: WriterKind,
  options: { writers: number; durationMs: number },
  serverCpuMs: () => number,
): Promise<WritersResult> {
  const writers = Array.from({ length: options.writers }, () =>
    makeWriter(url, kind),
  );
  try {
    // One untimed mutation each: connections and the first-call paths are warm.
    await Promise.all(writers.map((w, i) => w.mutate(`${kind}-warm-${i}`, 0)));
    const cpu0 = serverCpuMs();
    const clientCpu0 = process.cpuUsage();
    const result = await runLoops({
      workers: options.writers,
      durationMs: options.durationMs,
      maxOpsPerWorker: 100_000,
      op: (w, k) => writers[w]!.mutate(`${kind}-w${w}`, k),
    });
    const cpu = serverCpuMs() - cpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const ops = Math.max(1, result.ops);
    return {
      ...result,
      serverCpuMsPerMutation: cpu / ops,
      clientCpuMsPerMutation: (clientCpu.user + clientCpu.system) / 1000 / ops,
    };
  } finally {
    await Promise.all(writers.map((w) => w.close()));
  }
}
