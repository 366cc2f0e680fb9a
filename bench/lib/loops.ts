/** Closed-loop load: W workers, each awaiting one operation after another, bounded in time and count. */
import { summarize, type Summary } from "./stats";

export type Throughput = {
  workers: number;
  ops: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** Per-operation latency (ms) as each worker saw it. */
  latency: Summary;
  firstError?: string;
};

export async function runLoops(options: {
  workers: number;
  durationMs: number;
  /** Upper bound on operations per worker, whatever the duration. */
  maxOpsPerWorker: number;
  op: (worker: number, k: number) => Promise<unknown>;
}): Promise<Throughput> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + options.durationMs;
  const worker = async (w: number): Promise<void> => {
    for (let k = 0; k < options.maxOpsPerWorker; k++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        await options.op(w, k);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        // A failing target fails fast; stop this worker rather than spin.
        if (errors > 100) return;
      }
    }
  };
  await Promise.all(
    Array.from({ length: options.workers }, (_, w) => worker(w)),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    workers: options.workers,
    ops: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    latency: summarize(latencies),
    ...(firstError === undefined ? {} : { firstError }),
  };
}
