/**
 * Blocking on the control plane without polling: a live ConvexClient
 * subscription whose every new result is offered to `accept`, until it
 * accepts one, the time is up, or the client cancels the call.
 */
import type { FunctionReference } from "convex/server";
import type { Connection } from "./connection";

export type WaitOutcome<T> = { value: T } | { timedOut: true };

/** How often a waiting call tells the client it is alive (when asked to). */
const PROGRESS_EVERY_MS = 10_000;

export async function waitFor<T>(
  connection: Connection,
  query: FunctionReference<"query">,
  args: Record<string, unknown>,
  accept: (value: unknown) => T | undefined,
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    progress?: (message: string) => Promise<void>;
  },
): Promise<WaitOutcome<T>> {
  const { timeoutMs, signal, progress } = options;
  let stop: (() => void) | null = null;
  let settled = false;
  const timers: NodeJS.Timeout[] = [];
  const outcome = new Promise<WaitOutcome<T>>((resolve, reject) => {
    const finish = (result: WaitOutcome<T> | Error) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      stop?.();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = () => finish({ timedOut: true });
    signal.addEventListener("abort", onAbort);
    timers.push(setTimeout(() => finish({ timedOut: true }), timeoutMs));
    if (progress !== undefined) {
      const started = Date.now();
      const tick = () => {
        const waited = Math.round((Date.now() - started) / 1000);
        progress(`waiting (${waited} s)`).catch(() => undefined);
        timers.push(setTimeout(tick, PROGRESS_EVERY_MS));
      };
      timers.push(setTimeout(tick, PROGRESS_EVERY_MS));
    }
    connection
      .watch(
        query,
        args,
        (value) => {
          const accepted = accept(value);
          if (accepted !== undefined) finish({ value: accepted });
        },
        (error) =>
          finish(error instanceof Error ? error : new Error(String(error))),
      )
      .then(
        (unsubscribe) => {
          stop = unsubscribe;
          if (settled) unsubscribe();
        },
        (error: unknown) =>
          finish(error instanceof Error ? error : new Error(String(error))),
      );
    if (signal.aborted) onAbort();
  });
  return await outcome;
}

/** A tool's wait in milliseconds: what it asked for, never above the server's ceiling. */
export function waitMs(
  seconds: unknown,
  ceilingMs: number,
  fallbackMs = ceilingMs,
): number {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
    return fallbackMs;
  }
  return Math.max(0, Math.min(seconds * 1000, ceilingMs));
}
