/**
 * The in-process measurements: no network. Each runs in its own child process
 * (partMain.ts) because convex-test and the local engine both install the global
 * `Convex` syscall object, and because none of them should share an event loop with the
 * benchmark's clients.
 */
import { join } from "node:path";
import type { GenericSchema, SchemaDefinition } from "convex/server";
import { Database } from "node-sqlite3-wasm";
import { LocalEngine } from "../../local-backend/engine/engine";
import {
  openStore,
  type CommitBatch,
  type Store,
} from "../../local-backend/engine/store";
import { FUNCTIONS_DIR_PARTS, send, type SendArgs } from "./api";
import { runLoops, type Throughput } from "./loops";
import { ROOT, makeTempDir } from "./processes";

const CONCURRENCY = 32;

const args = (channel: string, k: number): SendArgs => ({
  channel,
  body: `b${k}`,
  n: k,
});

// ---- convex-test ------------------------------------------------------------

export type ConvexTestResult = {
  sequential: Throughput;
  concurrent: Throughput;
};

export async function convexTestPart(
  durationMs: number,
): Promise<ConvexTestResult> {
  const { convexTest } = await import("convex-test");
  const schemaModule = (await import("../convex-app/convex/schema")) as {
    default: SchemaDefinition<GenericSchema, boolean>;
  };
  // convex-test normally gets this map from Vite's import.meta.glob. It finds the
  // functions' root by the "_generated" entry (the prefix before it), then loads
  // `<root><module path>`; the app has no _generated folder, so a stub marks the root.
  const modules: Record<string, () => Promise<unknown>> = {
    "../convex-app/convex/_generated/api.js": () => Promise.resolve({}),
    "../convex-app/convex/messages.ts": () =>
      import("../convex-app/convex/messages"),
  };
  const run = async (workers: number): Promise<Throughput> => {
    const t = convexTest(schemaModule.default, modules);
    await t.mutation(send, args("warm", 0));
    return await runLoops({
      workers,
      durationMs,
      maxOpsPerWorker: 200_000,
      op: (w, k) => t.mutation(send, args(`c${w}`, k)),
    });
  };
  return { sequential: await run(1), concurrent: await run(CONCURRENCY) };
}

// ---- one LocalEngine, no network ----------------------------------------------

export type EngineResult = {
  sequential: Throughput;
  concurrent: Throughput;
  /** Concurrent again, each call with an idempotency key as the sync protocol sends them. */
  concurrentKeyed: Throughput;
  /** Store commits (group commits) during the concurrent run, and the time they took. */
  commits: number;
  commitMs: number;
  /** One subscription re-run's worth: `messages:latest` executions per second. */
  queriesPerSecond: number;
};

/** Wraps the store to count and time its commits (group commits), without changing it. */
function timedStore(
  inner: Store,
): Store & { commits: number; commitMs: number } {
  const timed = {
    commits: 0,
    commitMs: 0,
    load: () => inner.load(),
    close: () => inner.close(),
    commit(batch: CommitBatch): void {
      const t0 = performance.now();
      inner.commit(batch);
      timed.commitMs += performance.now() - t0;
      timed.commits++;
    },
  };
  return timed;
}

export async function enginePart(durationMs: number): Promise<EngineResult> {
  const dir = makeTempDir("sb-bench-engine-");
  const store = timedStore(openStore(join(dir.path, "convex.sqlite3")));
  const engine = await LocalEngine.open({
    convexDir: join(ROOT, ...FUNCTIONS_DIR_PARTS),
    store,
    env: {},
    adminKey: "bench-admin-key",
    runScheduler: false,
  });
  try {
    let requestId = 0;
    const mutate = async (
      channel: string,
      k: number,
      keyed = false,
    ): Promise<void> => {
      const outcome = await engine.runMutation(
        {
          udfPath: "messages:send",
          args: args(channel, k),
          identity: { kind: "anonymous" },
        },
        keyed ? { sessionId: "bench", requestId: requestId++ } : undefined,
      );
      if (!outcome.ok) throw new Error(outcome.errorMessage);
    };
    await mutate("warm", 0);
    const sequential = await runLoops({
      workers: 1,
      durationMs: durationMs / 2,
      maxOpsPerWorker: 200_000,
      op: (_, k) => mutate("seq", k),
    });
    store.commits = 0;
    store.commitMs = 0;
    const concurrent = await runLoops({
      workers: CONCURRENCY,
      durationMs,
      maxOpsPerWorker: 200_000,
      op: (w, k) => mutate(`e${w}`, k),
    });
    const { commits, commitMs } = store;
    const concurrentKeyed = await runLoops({
      workers: CONCURRENCY,
      durationMs,
      maxOpsPerWorker: 200_000,
      op: (w, k) => mutate(`k${w}`, k, true),
    });
    // 20 documents in the channel, as the fan-out benchmark's subscribers read.
    const calls = Array.from({ length: 100 }, () => ({
      udfPath: "messages:latest",
      args: { channel: "seq" },
      identity: { kind: "anonymous" } as const,
    }));
    let executions = 0;
    const q0 = performance.now();
    while (performance.now() - q0 < durationMs / 2 && executions < 1_000_000) {
      const { outcomes } = await engine.runQueries(calls);
      if (outcomes.some((o) => !o.ok))
        throw new Error("messages:latest failed");
      executions += calls.length;
    }
    const queriesPerSecond = executions / ((performance.now() - q0) / 1000);
    return {
      sequential,
      concurrent,
      concurrentKeyed,
      commits,
      commitMs,
      queriesPerSecond,
    };
  } finally {
    await engine.close();
    dir.remove();
  }
}

// ---- the SQLite floor ----------------------------------------------------------

export type SqliteResult = {
  /** Raw single-row transactions: durable commits/s. */
  single: Throughput;
  /** Raw 100-row transactions (ops = commits). */
  batch100: Throughput;
  /** The store's own commit() with one new document (what one group commit costs). */
  storeCommit: Throughput;
};

// The store's table and statement (local-backend/engine/store.ts), with a message-sized document.
const SCHEMA = `CREATE TABLE documents (id TEXT PRIMARY KEY, table_name TEXT NOT NULL,
  creation_time REAL NOT NULL, ts INTEGER NOT NULL, json TEXT NOT NULL)`;
const UPSERT = `INSERT INTO documents (id, table_name, creation_time, ts, json) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET table_name = excluded.table_name,
  creation_time = excluded.creation_time, ts = excluded.ts, json = excluded.json`;
const DOC = JSON.stringify({
  _id: "k57a9h3x0v2n4m6q8r1s3t5w7y9z0b2c",
  _creationTime: 1_700_000_000_000.5,
  channel: "fanout-100-1700000000000",
  body: "m123",
  n: 12345.678,
});

function rawSqlite(
  path: string,
  rowsPerCommit: number,
  durationMs: number,
): Promise<Throughput> {
  const db = new Database(path);
  // The store's settings (store.ts configure()): exclusive lock first, then WAL, FULL sync.
  db.exec("PRAGMA locking_mode=EXCLUSIVE");
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL; PRAGMA journal_size_limit=67108864");
  db.exec(SCHEMA);
  const upsert = db.prepare(UPSERT);
  let id = 0;
  let ts = 1_700_000_000_000_000_000n;
  const commit = (): Promise<void> => {
    db.exec("BEGIN IMMEDIATE");
    for (let r = 0; r < rowsPerCommit; r++)
      upsert.run([`doc${id++}`, "messages", 1_700_000_000_000.5, ts++, DOC]);
    db.exec("COMMIT");
    return Promise.resolve();
  };
  return runLoops({
    workers: 1,
    durationMs,
    maxOpsPerWorker: 1_000_000,
    op: commit,
  }).finally(() => {
    upsert.finalize();
    db.close();
  });
}

export async function sqlitePart(durationMs: number): Promise<SqliteResult> {
  const dir = makeTempDir("sb-bench-sqlite-");
  try {
    const single = await rawSqlite(join(dir.path, "a.sqlite3"), 1, durationMs);
    const batch100 = await rawSqlite(
      join(dir.path, "b.sqlite3"),
      100,
      durationMs,
    );
    const store = openStore(join(dir.path, "store.sqlite3"));
    let ts = 1_700_000_000_000_000_000n;
    const storeCommit = await runLoops({
      workers: 1,
      durationMs,
      maxOpsPerWorker: 1_000_000,
      op: (_, k) => {
        ts++;
        store.commit({
          ts,
          upserts: [
            {
              id: `doc${k}`,
              table: "messages",
              creationTime: 1_700_000_000_000.5,
              ts,
              json: DOC,
            },
          ],
          deletes: [],
        });
        return Promise.resolve();
      },
    }).finally(() => store.close());
    return { single, batch100, storeCommit };
  } finally {
    dir.remove();
  }
}
