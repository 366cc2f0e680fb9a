/**
 * The ceiling for the workflow benchmark: how many plain Switchboard
 * mutations per second the same backend takes from the same agent clients.
 * The mutation is usage.report (the MCP tool report_usage): one usageRecords
 * insert plus its audit event, after the token, project and budget reads
 * every agent call makes; no budgets exist in the benchmark's project, so it
 * writes nothing else.
 */
import type { ConvexClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { percentile } from "./stats";

export const CEILING_MUTATION = "usage.report";

export type Ceiling = {
  clients: number;
  ops: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  /** Backend CPU ms per mutation over the measurement. */
  cpuMsPerOp: number;
};

/**
 * Each of `clients` awaits one mutation after another until `durationMs`
 * has passed (closed loop); every mutation must succeed.
 */
export async function measureCeiling(input: {
  clients: readonly ConvexClient[];
  projectId: Id<"projects">;
  durationMs: number;
  cpuMs: () => number;
}): Promise<Ceiling> {
  const latencies: number[] = [];
  const cpuAtStart = input.cpuMs();
  const start = performance.now();
  const end = start + input.durationMs;
  await Promise.all(
    input.clients.map(async (client) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await client.mutation(api.usage.report, {
          projectId: input.projectId,
          inputTokens: 1,
          outputTokens: 1,
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    clients: input.clients.length,
    ops: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuMsPerOp: (input.cpuMs() - cpuAtStart) / Math.max(1, latencies.length),
  };
}
