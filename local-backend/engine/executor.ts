/**
 * Runs queries and mutations one at a time, which makes every mutation
 * serializable and every query a consistent snapshot without locks or
 * versions. Mutations that queue up while one runs are committed together:
 * each runs in turn, then one durable SQLite transaction covers the batch
 * (group commit), then every caller in it is answered. Actions run outside,
 * concurrently, and reach the database only through jobs queued here.
 *
 * Commits are pipelined: while a batch's commit is on its way to disk (on the
 * store's thread), the next batch of mutations may already run on top of it.
 * That is safe because commits reach the disk in order and no caller hears of
 * a batch before it and every batch before it are durable; if a commit fails
 * the process exits, so nothing built on it is ever acknowledged. Queries and
 * other exclusive work wait until every commit in flight has landed, so they
 * only ever see durable state.
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
 * How the executor makes a batch durable and then announces it. `write` may
 * finish asynchronously (the store on a worker thread); nothing else runs on
 * the executor until it has, and `latestTs()` moves only once it has.
 */
export type Persistence = {
  write(
    txs: readonly Transaction[],
    kv: Record<string, string | null>,
    ts: Timestamp,
  ): void | Promise<void>;
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
/** Batches whose commit may be in flight at once (the pipeline's depth). */
const MAX_IN_FLIGHT = 2;

type MutationJob = Extract<Job, { kind: "mutation" }>;

export class Executor {
  private readonly queue: Job[] = [];
  private draining = false;
  /** Commits started and not yet durable, oldest first (a Set keeps insertion order). */
  private readonly inFlight = new Set<Promise<void>>();
  /** The newest timestamp handed to a batch (durable or not). */
  private assignedTs: Timestamp;
  private closed = false;

  constructor(
    private readonly persistence: Persistence,
    private lastTs: Timestamp,
  ) {
    this.assignedTs = lastTs;
  }

  /** The newest durable, announced commit timestamp. */
  latestTs(): Timestamp {
    return this.lastTs;
  }

  /** Commit timestamps are nanoseconds since the epoch, strictly increasing. */
  private nextTs(): Timestamp {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.assignedTs = now > this.assignedTs ? now : this.assignedTs + 1n;
    return this.assignedTs;
  }

  /** Runs work alone, on durable state: no commit is in flight or can happen while it runs. */
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

  /**
   * Lets queued work finish and every commit land, then refuses new work (with
   * an error), so the store can be closed with nothing in flight.
   */
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
          await Promise.all(this.inFlight);
          // Through a promise, so a synchronous throw also reaches the caller.
          await Promise.resolve()
            .then(job.work)
            .then(job.settle.resolve, job.settle.reject);
        } else {
          if (this.inFlight.size >= MAX_IN_FLIGHT)
            await this.inFlight.values().next().value;
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

  /** Runs a batch of mutations in memory and starts its commit (see the pipeline above). */
  private async runBatch(first: MutationJob): Promise<void> {
    const batch = [first];
    while (batch.length < MAX_BATCH && this.queue[0]?.kind === "mutation") {
      batch.push(this.queue.shift() as MutationJob);
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
    const previous = [...this.inFlight].at(-1);
    const answer = (ts: Timestamp): void =>
      batch.forEach((job, i) => {
        const result = results[i]!;
        if (result instanceof Error) job.settle.reject(result);
        else job.settle.resolve({ ...result, ts });
      });
    if (txs.length === 0 && kvMakers.length === 0) {
      // Nothing to write; these callers read state that may still be landing.
      if (previous === undefined) answer(this.lastTs);
      else this.track(previous.then(() => answer(this.lastTs)));
      return;
    }
    const ts = this.nextTs();
    const kv = Object.assign(
      {},
      ...kvMakers.map((make) => make(ts)),
    ) as Record<string, string | null>;
    // Started now (commits reach the store in order); announced only after
    // every earlier batch.
    const written = Promise.resolve().then(() =>
      this.persistence.write(txs, kv, ts),
    );
    this.track(
      Promise.all([previous, written]).then(
        () => {
          this.lastTs = ts;
          this.persistence.committed(txs, ts);
          answer(ts);
        },
        (error: unknown) => {
          // Memory is ahead of disk now: exit and restart from the durable state.
          process.stderr.write(
            `switchboard-backend: commit failed, exiting: ${String(error)}\n`,
          );
          process.exit(74);
        },
      ),
    );
  }

  private track(commit: Promise<void>): void {
    this.inFlight.add(commit);
    void commit.finally(() => this.inFlight.delete(commit));
  }
}
