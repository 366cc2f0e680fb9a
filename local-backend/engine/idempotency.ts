/**
 * Remembers the outcome of mutations sent over the sync protocol, keyed by
 * (session, request id), so a client that resends a mutation after a dropped
 * connection gets the first outcome instead of a second application. Records
 * are written in the same commit as the mutation, so they survive a crash
 * between commit and reply, and expire after a while.
 */
import type { FunctionOutcome, Timestamp } from "./types";

export type IdempotencyKey = { sessionId: string; requestId: number };
type Recorded = FunctionOutcome & { ts: Timestamp };

const PREFIX = "idem:";
/** Clients resend within seconds of reconnecting; an hour is generous. */
const RETENTION_MS = 60 * 60_000;

type Entry = { outcome: Recorded; at: number };

function keyOf({ sessionId, requestId }: IdempotencyKey): string {
  return `${PREFIX}${sessionId}:${requestId}`;
}

export class IdempotencyLog {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Recorded>>();

  constructor(kv: ReadonlyMap<string, string>) {
    const loaded: [string, Entry][] = [];
    for (const [key, value] of kv) {
      if (!key.startsWith(PREFIX)) continue;
      const parsed = JSON.parse(value) as {
        outcome: Omit<Recorded, "ts"> & { ts: string };
        at: number;
      };
      const outcome = {
        ...parsed.outcome,
        ts: BigInt(parsed.outcome.ts),
      } as Recorded;
      loaded.push([key, { outcome, at: parsed.at }]);
    }
    // Oldest first, so expiry can stop at the first live entry (record()).
    loaded.sort(([, a], [, b]) => a.at - b.at);
    for (const [key, entry] of loaded) this.entries.set(key, entry);
  }

  /** The earlier outcome, or the pending one if the same request is still running. */
  lookup(key: IdempotencyKey): Recorded | Promise<Recorded> | undefined {
    const name = keyOf(key);
    return this.entries.get(name)?.outcome ?? this.inFlight.get(name);
  }

  track(key: IdempotencyKey, running: Promise<Recorded>): void {
    const name = keyOf(key);
    this.inFlight.set(name, running);
    const forget = () => this.inFlight.delete(name);
    running.then(forget, forget);
  }

  /** Records an outcome; returns the kv rows to commit with it (and expired rows to drop). */
  record(
    key: IdempotencyKey,
    outcome: Recorded,
  ): Record<string, string | null> {
    const now = Date.now();
    const rows: Record<string, string | null> = {};
    // Insertion order is time order, so expired entries are all at the front.
    for (const [name, entry] of this.entries) {
      if (entry.at >= now - RETENTION_MS) break;
      this.entries.delete(name);
      rows[name] = null;
    }
    const name = keyOf(key);
    this.entries.set(name, { outcome, at: now });
    rows[name] = JSON.stringify({
      outcome: { ...outcome, ts: outcome.ts.toString() },
      at: now,
    });
    return rows;
  }
}
