/**
 * Durable storage for the local backend: one SQLite file holding every current document
 * and a small key/value table. The engine keeps everything in memory; this module only
 * loads it at start and makes each batch of writes durable.
 *
 * Binding: node-sqlite3-wasm (SQLite 3.53 compiled to WebAssembly, file access through a
 * VFS written on Node's `fs`). It loads under system Node and under VS Code's Electron
 * runtime alike (no native addon), which better-sqlite3 cannot do without a rebuild per
 * Electron ABI.
 *
 * Measured on this machine (2 cores, ext4 on a virtual disk, Node 20; `npx tsx
 * bench/sqlite-bindings.ts`: upserts of ~600-byte JSON into the documents table below,
 * one transaction per commit; ranges over three runs; an earlier run while the disk was
 * busy with a parallel npm install measured 5-20x less for every row, so fsync latency,
 * not the binding, dominates small commits):
 *
 *   binding            journal mode / synchronous          rows/commit  commits/s   rows/s
 *   node-sqlite3-wasm  WAL + locking_mode=EXCLUSIVE / FULL    1          1460-2070   ~1.9k
 *                                                             10         1320-2050   ~16k
 *                                                             100         377-406    ~39k
 *   node-sqlite3-wasm  TRUNCATE / FULL                        1           236-353
 *                                                             10          191-345
 *                                                             100         160-178    ~17k
 *   node-sqlite3-wasm  PERSIST / FULL                         1           444-511
 *                                                             10          272-520
 *                                                             100         197-300    ~25k
 *   node-sqlite3-wasm  DELETE / EXTRA                         1           309-360
 *                                                             10          300-416
 *                                                             100         163-182    ~17k
 *   better-sqlite3     WAL / FULL                             1          2970-3570   ~3.2k
 *                                                             10         2040-3010   ~27k
 *                                                             100         622-748    ~70k
 *   better-sqlite3     WAL + locking_mode=EXCLUSIVE / FULL    1          2080-3060
 *                                                             10         1980-3430
 *                                                             100         872-1030   ~100k
 *   better-sqlite3     DELETE / EXTRA                         1           328-512
 *                                                             10          343-542
 *                                                             100         261-394
 *
 * Why WAL + EXCLUSIVE: the VFS has no shared-memory methods, so WAL works only with
 * `locking_mode=EXCLUSIVE` (the wal-index lives in heap memory; one connection, which is
 * what we want anyway). A WAL commit costs one fsync of the -wal file; the rollback
 * journal modes cost 3-4 (journal twice, database, then journal truncate, or directory
 * after unlink for DELETE, which needs synchronous=EXTRA to be durable at all).
 * Verified with `strace -f -e trace=fsync,fdatasync,write` around store.commit(): each
 * commit makes exactly one `fsync(<db>-wal)` between its begin and return markers (the
 * VFS's xSync is `fs.fsyncSync`); opening makes one `fsync(<dir>)`; close checkpoints
 * (fsync of -wal and of the database). better-sqlite3 likewise fsyncs the -wal once.
 *
 * Decision: node-sqlite3-wasm. It is durable (above), portable (no native build, loads
 * in Electron), and ~0.5-0.7x native speed per small commit; with group commit it
 * sustains >10k durable document writes per second, far more than a developer's agents
 * produce. better-sqlite3 is not a dependency (it also needs a ~2 minute C++ build on
 * install); the benchmark loads it only if present.
 *
 * Commits run on the server's own thread. Moving them to a worker thread (so the event
 * loop stays free during the fsync) was built and measured with `npm run bench`: on this
 * 2-core machine it lost (32 WebSocket writers 2,259-2,304 vs 2,174-2,618 mutations/s
 * in-thread, 0.45 vs 0.36-0.44 server CPU-ms per mutation, 1-subscriber update p50
 * 3.7-3.8 vs 2.6-3.5 ms): the thread hop and the structured clone cost more than the
 * blocking fsync they hide. Worth measuring again on machines with more cores.
 *
 * Caveats of this VFS that the code below handles:
 * - Locks are a `<file>.lock` directory (mkdir/rmdir). A process killed while holding it
 *   leaves it behind, and SQLite would then report SQLITE_BUSY forever. We therefore keep
 *   our own owner file (`<file>.owner`, holding the pid): whoever owns the database may
 *   remove a leftover `.lock` directory.
 * - xSync does not sync the directory when a file is created, so after creating the
 *   database and its -wal file we fsync the directory once ourselves.
 * - Integers beyond 64 bits wrap silently on bind, so timestamps are range-checked.
 *
 * Bundling: the binding finds `node-sqlite3-wasm.wasm` next to its own script
 * (`__dirname`), so a bundle must ship that file beside the bundled .js.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Database, type Statement } from "node-sqlite3-wasm";
import { StoreCorruptError } from "./storeErrors";
import { claimOwnership, fsyncDirectory } from "./storeOwnership";

export type StoredDocument = {
  id: string;
  table: string;
  creationTime: number;
  /** Timestamp of the commit that wrote this version; must fit a signed 64-bit integer. */
  ts: bigint;
  /** The whole document (with _id and _creationTime), Convex-JSON encoded. */
  json: string;
};

export type CommitBatch = {
  /** The batch's commit timestamp (the newest in the batch); persisted as `latestTs`. */
  ts: bigint;
  upserts: StoredDocument[];
  /** Ids to delete. An id must not also appear in `upserts` of the same batch. */
  deletes: string[];
  /** Key/value writes; `null` deletes the key. */
  kv?: Record<string, string | null>;
};

export type LoadedState = {
  documents: StoredDocument[];
  kv: Map<string, string>;
  /** The newest committed batch ts (0n for a new store), kept even when that batch only deleted. */
  latestTs: bigint;
};

export interface Store {
  load(): LoadedState;
  /** One SQLite transaction; durable on disk when it returns; all or nothing. */
  commit(batch: CommitBatch): void;
  close(): void;
}

export { StoreCorruptError, StoreInUseError } from "./storeErrors";

/** Bumped with each migration added to MIGRATIONS; stored as `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1;

/** MIGRATIONS[n] takes a database from user_version n to n + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE documents (
     id TEXT PRIMARY KEY,
     table_name TEXT NOT NULL,
     creation_time REAL NOT NULL,
     ts INTEGER NOT NULL,
     json TEXT NOT NULL
   );
   CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

const MAX_I64 = 2n ** 63n - 1n;
/** Keep the -wal file from staying huge after a big batch (it is reused, not deleted). */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

export function openStore(filePath: string): Store {
  const file = resolve(filePath);
  mkdirSync(dirname(file), { recursive: true });
  const owner = claimOwnership(file);
  let db: Database | undefined;
  try {
    db = new Database(file);
    configure(db, file);
    migrate(db, file);
    // The database and -wal files now exist; make their directory entries durable.
    fsyncDirectory(dirname(file));
    return new SqliteStore(db, owner);
  } catch (error) {
    if (db?.isOpen) db.close();
    owner.release();
    throw error;
  }
}

function configure(db: Database, file: string): void {
  try {
    // Exclusive first: WAL without shared memory needs it before the WAL is opened.
    db.exec("PRAGMA locking_mode=EXCLUSIVE");
    const mode = pragmaValue(db, "PRAGMA journal_mode=WAL");
    if (mode !== "wal")
      throw new Error(`journal_mode is ${mode}, expected wal`);
    db.exec(
      `PRAGMA synchronous=FULL; PRAGMA journal_size_limit=${JOURNAL_SIZE_LIMIT}`,
    );
    const check = db
      .all("PRAGMA quick_check")
      .map((row) => String(Object.values(row)[0]));
    if (check.length !== 1 || check[0] !== "ok")
      throw new Error(check.slice(0, 5).join("; "));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new StoreCorruptError(
      `The local backend database ${file} is corrupt or not a SQLite database (${detail}). ` +
        `Move it (and any ${file}-wal) aside to start with an empty database, or restore a backup.`,
      { cause: error },
    );
  }
}

function migrate(db: Database, file: string): void {
  const version = Number(pragmaValue(db, "PRAGMA user_version"));
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `${file} has schema version ${version}, newer than this backend supports (${SCHEMA_VERSION}). ` +
        `Update Switchboard or use another data directory.`,
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    transaction(db, () => {
      db.exec(MIGRATIONS[v] ?? "");
      db.exec(`PRAGMA user_version=${v + 1}`);
    });
  }
}

class SqliteStore implements Store {
  private readonly upsertDoc: Statement;
  private readonly deleteDoc: Statement;
  private readonly setKv: Statement;
  private readonly deleteKv: Statement;
  private readonly setMeta: Statement;
  /** The newest committed batch ts, cached (it is also in the meta table). */
  private latest: bigint;
  private closed = false;
  /** Set when a COMMIT itself failed: what reached the disk is unknown, so stop writing. */
  private broken: Error | undefined;

  constructor(
    private readonly db: Database,
    private readonly owner: { release(): void },
  ) {
    this.upsertDoc = db.prepare(
      `INSERT INTO documents (id, table_name, creation_time, ts, json) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET table_name = excluded.table_name,
         creation_time = excluded.creation_time, ts = excluded.ts, json = excluded.json`,
    );
    this.deleteDoc = db.prepare("DELETE FROM documents WHERE id = ?");
    this.setKv = db.prepare(
      "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.deleteKv = db.prepare("DELETE FROM kv WHERE key = ?");
    this.setMeta = db.prepare(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    const row = db.get("SELECT value FROM meta WHERE key = 'latest_ts'");
    this.latest = row === null ? 0n : BigInt(text(row.value));
  }

  load(): LoadedState {
    this.assertOpen();
    const documents: StoredDocument[] = [];
    const rows = this.db.prepare(
      "SELECT id, table_name, creation_time, ts, json FROM documents",
    );
    try {
      for (const row of rows.iterate()) {
        documents.push({
          id: text(row.id),
          table: text(row.table_name),
          creationTime: Number(row.creation_time),
          ts: int64(row.ts),
          json: text(row.json),
        });
      }
    } finally {
      rows.finalize();
    }
    const kv = new Map<string, string>();
    for (const row of this.db.all("SELECT key, value FROM kv"))
      kv.set(text(row.key), text(row.value));
    return { documents, kv, latestTs: this.latest };
  }

  commit(batch: CommitBatch): void {
    this.assertOpen();
    if (this.broken)
      throw new Error(
        "The store failed an earlier commit and accepts no more writes",
        { cause: this.broken },
      );
    checkTs(batch.ts, "batch.ts");
    if (batch.deletes.length > 0) {
      const deleted = new Set(batch.deletes);
      for (const doc of batch.upserts) {
        if (deleted.has(doc.id))
          throw new Error(
            `Document ${doc.id} is both upserted and deleted in one batch`,
          );
      }
    }
    for (const doc of batch.upserts) checkTs(doc.ts, `ts of ${doc.id}`);

    // Kept as the max so a late, smaller ts can never move the store's clock backwards.
    const latest = batch.ts > this.latest ? batch.ts : this.latest;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const d of batch.upserts)
        this.upsertDoc.run([d.id, d.table, d.creationTime, d.ts, d.json]);
      for (const id of batch.deletes) this.deleteDoc.run(id);
      for (const [key, value] of Object.entries(batch.kv ?? {})) {
        if (value === null) this.deleteKv.run(key);
        else this.setKv.run([key, value]);
      }
      this.setMeta.run(["latest_ts", String(latest)]);
    } catch (error) {
      // A statement failed before COMMIT: nothing reached the database file.
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
    try {
      this.db.exec("COMMIT");
      this.latest = latest;
    } catch (error) {
      this.broken = error instanceof Error ? error : new Error(String(error));
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stmt of [
      this.upsertDoc,
      this.deleteDoc,
      this.setKv,
      this.deleteKv,
      this.setMeta,
    ]) {
      try {
        stmt.finalize();
      } catch {
        // finalize() re-reports the statement's last failure (e.g. a constraint in a
        // rolled-back batch); that was already thrown to the caller of commit().
      }
    }
    try {
      this.db.close();
    } finally {
      this.owner.release();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The store is closed");
  }
}

// ---- helpers ----------------------------------------------------------------

function transaction(db: Database, body: () => void): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    body();
    db.exec("COMMIT");
  } catch (error) {
    if (db.inTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

function pragmaValue(db: Database, sql: string): string {
  const row = db.get(sql);
  return row === null ? "" : String(Object.values(row)[0]);
}

function checkTs(ts: bigint, what: string): void {
  if (typeof ts !== "bigint" || ts < 0n || ts > MAX_I64) {
    throw new RangeError(
      `${what} must be a bigint in [0, 2^63 - 1], got ${String(ts)}`,
    );
  }
}

/** Column values come back as SQLiteValue; these narrow them, failing loudly on surprises. */
function text(value: unknown): string {
  if (typeof value !== "string")
    throw new Error(`Expected TEXT, got ${typeof value}`);
  return value;
}

function int64(value: unknown): bigint {
  // The binding returns a number when the value is a safe integer, a bigint otherwise.
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value))
    return BigInt(value);
  throw new Error(`Expected INTEGER, got ${typeof value}`);
}
