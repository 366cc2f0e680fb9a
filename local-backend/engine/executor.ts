/**
 * Runs queries and mutations one at a time, which makes every mutation
 * serializable and every query a consistent snapshot without locks or
 * versions. Mutations that queue up while one runs are committed together:
 * each runs in turn, then one durable SQLite transaction covers the batch
 * (group commit), then every caller in it is answered. Actions run outside,
 * concurrently, and reach the database only through jobs queued here.
 */
import type { Transaction } from "./transaction";
import type { FunctionOutcome, Timestamp } from "./types";

export type MutationWork = () => MutationResult | Promise<MutationResult>;

export type MutationResult = {
  outcome: FunctionOutcome;
  /** The transaction to persist (null when nothing should be written). */
  tx: Transaction | null;
  /** Extra key/value rows to write in the same commit, given the commit's ts. */
  kv?: (ts: Timestamp) => Record<string, string | null>;
};

/**
 * How a batch becomes durable, then visible. `write` commits synchronously: a
 * commit on a worker thread was measured and lost here (see store.ts).
 */
export type Persistence = {
  write(
    txs: readonly Transaction[],
    kv: Record<string, string | null>,
    ts: Timestamp,
  ): void;
  /** Called once the batch is durable and `latestTs()` returns its ts. */
  committed(txs: readonly Transaction[], ts: Timestamp): void;
};

type Job =
  | { kind: "exclusive"; work: () => unknown; settle: Settle<unknown> }
  | {
      kind: "mutation";
      work: MutationWork;
      settle: Settle<MutationResult & { ts: Timestamp }>;
    };

type Settle<T> = {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
};

/** Mutations per group commit; bounds how long one batch holds the executor. */
const MAX_BATCH = 128;

export class Executor {
  private readonly queue: Job[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly persistence: Persistence,
    private lastTs: Timestamp,
  ) {}

  /** The newest committed timestamp. */
  latestTs(): Timestamp {
    return this.lastTs;
  }

  /** Commit timestamps are nanoseconds since the epoch, strictly increasing. */
  private nextTs(): Timestamp {
    const now = BigInt(Date.now()) * 1_000_000n;
    return now > this.lastTs ? now : this.lastTs + 1n;
  }

  /** Runs work alone: no commit can happen while it runs. */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        kind: "exclusive",
        work,
        settle: { resolve: (value) => resolve(value as T), reject },
      });
      this.kick();
    });
  }

  /** Runs a mutation and resolves once its writes are durable, with the commit's ts. */
  mutate(work: MutationWork): Promise<MutationResult & { ts: Timestamp }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "mutation", work, settle: { resolve, reject } });
      this.kick();
    });
  }

  /** Lets queued work finish, then refuses new work (with an error), so the store can close. */
  async shutdown(): Promise<void> {
    await this.exclusive(() => {
      this.closed = true;
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    // Errors are settled per job inside drain(); this catch is for bugs in drain itself.
    this.drain().catch((error: unknown) => {
      process.stderr.write(
        `switchboard-backend: executor failed: ${String(error)}\n`,
      );
      process.exit(70);
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const job = this.queue.shift()!;
        if (this.closed) {
          job.settle.reject(new Error("The backend is shutting down"));
        } else if (job.kind === "exclusive") {
          // Through a promise, so a synchronous throw also reaches the caller.
          await Promise.resolve()
            .then(job.work)
            .then(job.settle.resolve, job.settle.reject);
        } else {
          await this.runBatch(job);
        }
        // Let sockets deliver what arrived meanwhile, so the next batch can group it.
        if (this.queue.length === 0)
          await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(
    first: Extract<Job, { kind: "mutation" }>,
  ): Promise<void> {
    const batch = [first];
    while (batch.length < MAX_BATCH && this.queue[0]?.kind === "mutation") {
      batch.push(this.queue.shift() as Extract<Job, { kind: "mutation" }>);
    }
    const results: (MutationResult | Error)[] = [];
    for (const job of batch) {
      results.push(
        await Promise.resolve()
          .then(job.work)
          .catch((error: unknown) =>
            error instanceof Error ? error : new Error(String(error)),
          ),
      );
    }
    const txs: Transaction[] = [];
    const kvMakers: ((ts: Timestamp) => Record<string, string | null>)[] = [];
    for (const result of results) {
      if (result instanceof Error) continue;
      if (result.tx !== null && result.tx.writes.length > 0)
        txs.push(result.tx);
      if (result.kv !== undefined) kvMakers.push(result.kv);
    }
    let ts = this.lastTs;
    if (txs.length > 0 || kvMakers.length > 0) {
      ts = this.nextTs();
      const kv = Object.assign(
        {},
        ...kvMakers.map((make) => make(ts)),
      ) as Record<string, string | null>;
      // Durable before anyone hears of it. A failure here leaves memory ahead
      // of disk, so the process exits and restarts from the durable state.
      try {
        this.persistence.write(txs, kv, ts);
      } catch (error) {
        process.stderr.write(
          `switchboard-backend: commit failed, exiting: ${String(error)}\n`,
        );
        process.exit(74);
      }
      this.lastTs = ts;
      this.persistence.committed(txs, ts);
    }
    batch.forEach((job, i) => {
      const result = results[i]!;
      if (result instanceof Error) job.settle.reject(result);
      else job.settle.resolve({ ...result, ts });
    });
  }
}
