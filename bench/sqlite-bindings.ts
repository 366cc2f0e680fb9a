/**
 * Durable commits per second for the two SQLite bindings we considered for the
 * local backend's store, on this machine's disk.
 *
 *   npx tsx bench/sqlite-bindings.ts                 full table (~40 s)
 *   npx tsx bench/sqlite-bindings.ts --quick         shorter runs
 *   npx tsx bench/sqlite-bindings.ts --probe MODE    a few commits with markers, for strace:
 *     strace -f -e trace=fsync,fdatasync,write -e signal=none \
 *       npx tsx bench/sqlite-bindings.ts --probe wasm-wal 2>&1 | grep -E 'fsync|fdatasync|probe'
 *
 * better-sqlite3 is not a project dependency (it is native and builds from source for
 * ~2 minutes). To include it: `npm install --no-save better-sqlite3`, or point
 * BETTER_SQLITE3_DIR at a directory whose node_modules holds a built copy.
 *
 * Every configuration writes to the store's real `documents` table (upserts of ~600-byte
 * JSON documents), one transaction per commit, with the synchronous level that makes
 * that journal mode durable on power loss (FULL; EXTRA for DELETE, which otherwise does
 * not sync the directory after unlinking the journal).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database as WasmDatabase } from "node-sqlite3-wasm";

/** The slice of a binding the benchmark needs: both bindings fit it with a thin adapter. */
type BenchDb = {
  exec(sql: string): void;
  pragma(sql: string): string;
  prepareUpsert(): (id: string, ts: bigint, json: string) => void;
  close(): void;
};

type Binding = { name: string; open(file: string): BenchDb };

/** The subset of better-sqlite3's API used here (it is loaded dynamically, untyped). */
type BetterStatement = {
  readonly reader: boolean;
  run(...params: unknown[]): unknown;
  pluck(): { get(): unknown };
};
type BetterDatabase = {
  exec(sql: string): void;
  prepare(sql: string): BetterStatement;
  close(): void;
};
type BetterConstructor = new (file: string) => BetterDatabase;

const SCHEMA = `CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, table_name TEXT NOT NULL, creation_time REAL NOT NULL,
  ts INTEGER NOT NULL, json TEXT NOT NULL)`;
const UPSERT = `INSERT INTO documents (id, table_name, creation_time, ts, json)
  VALUES (?, 'tasks', 1700000000000.5, ?, ?)
  ON CONFLICT(id) DO UPDATE SET ts = excluded.ts, json = excluded.json`;

const wasmBinding: Binding = {
  name: "node-sqlite3-wasm",
  open(file) {
    const db = new WasmDatabase(file);
    return {
      exec: (sql) => db.exec(sql),
      pragma: (sql) => String(Object.values(db.get(sql) ?? {})[0]),
      prepareUpsert() {
        const stmt = db.prepare(UPSERT);
        return (id, ts, json) => void stmt.run([id, ts, json]);
      },
      close: () => db.close(),
    };
  },
};

function loadBetterSqlite3(): Binding | undefined {
  const bases = [
    process.env.BETTER_SQLITE3_DIR
      ? join(process.env.BETTER_SQLITE3_DIR, "package.json")
      : undefined,
    join(process.cwd(), "package.json"),
  ];
  for (const base of bases) {
    if (base === undefined) continue;
    try {
      const Better = createRequire(base)("better-sqlite3") as BetterConstructor;
      return {
        name: "better-sqlite3",
        open(file) {
          const db = new Better(file);
          return {
            exec: (sql) => db.exec(sql),
            pragma(sql) {
              const stmt = db.prepare(sql);
              if (stmt.reader) return String(stmt.pluck().get());
              stmt.run();
              return "";
            },
            prepareUpsert() {
              const stmt = db.prepare(UPSERT);
              return (id, ts, json) => void stmt.run(id, ts, json);
            },
            close: () => db.close(),
          };
        },
      };
    } catch {
      // Not installed there (or built for another runtime): try the next place.
    }
  }
  return undefined;
}

type Mode = {
  label: string;
  /** Pragmas in order; locking_mode must precede journal_mode=WAL where the VFS has no shm. */
  pragmas: string[];
};

const MODES: Record<string, Mode> = {
  "wal-exclusive": {
    label: "WAL, locking_mode=EXCLUSIVE, sync=FULL",
    pragmas: [
      "PRAGMA locking_mode=EXCLUSIVE",
      "PRAGMA journal_mode=WAL",
      "PRAGMA synchronous=FULL",
    ],
  },
  wal: {
    label: "WAL, sync=FULL",
    pragmas: ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"],
  },
  truncate: {
    label: "TRUNCATE, sync=FULL",
    pragmas: ["PRAGMA journal_mode=TRUNCATE", "PRAGMA synchronous=FULL"],
  },
  persist: {
    label: "PERSIST, sync=FULL",
    pragmas: ["PRAGMA journal_mode=PERSIST", "PRAGMA synchronous=FULL"],
  },
  "delete-extra": {
    label: "DELETE, sync=EXTRA",
    pragmas: ["PRAGMA journal_mode=DELETE", "PRAGMA synchronous=EXTRA"],
  },
};

const DOC_JSON = JSON.stringify({
  _id: "x",
  _creationTime: 1700000000000.5,
  title: "t".repeat(300),
  status: "todo",
  tags: ["a", "b", "c"],
  body: "b".repeat(200),
});

/** Applies the pragmas, creates the table and checks the settings really took effect. */
function applyMode(db: BenchDb, mode: Mode): void {
  for (const p of mode.pragmas) db.pragma(p);
  db.exec(SCHEMA);
  const journal = db.pragma("PRAGMA journal_mode");
  const sync = db.pragma("PRAGMA synchronous");
  const wantJournal = /journal_mode=(\w+)/
    .exec(mode.pragmas.join(" "))?.[1]
    ?.toLowerCase();
  const wantSync = mode.pragmas.some((p) => p.endsWith("EXTRA")) ? "3" : "2";
  if (journal !== wantJournal || sync !== wantSync) {
    throw new Error(
      `${mode.label}: got journal_mode=${journal} synchronous=${sync}`,
    );
  }
}

type Result = {
  binding: string;
  mode: string;
  rows: number;
  commits: number;
  seconds: number;
};

function run(
  binding: Binding,
  modeKey: string,
  rowsPerCommit: number,
  budgetMs: number,
): Result {
  const mode = MODES[modeKey];
  if (mode === undefined) throw new Error(`unknown mode ${modeKey}`);
  const dir = mkdtempSync(join(tmpdir(), "sqlite-bench-"));
  const db = binding.open(join(dir, "bench.sqlite3"));
  try {
    applyMode(db, mode);
    const upsert = db.prepareUpsert();
    let commits = 0;
    let ts = 1_700_000_000_000_000_000n;
    const start = performance.now();
    // At least 20 commits, then until the time budget is spent.
    while (commits < 20 || performance.now() - start < budgetMs) {
      db.exec("BEGIN IMMEDIATE");
      for (let r = 0; r < rowsPerCommit; r++) {
        // A working set of 5000 documents: a mix of inserts and updates, like real traffic.
        upsert(`doc${(commits * rowsPerCommit + r) % 5000}`, ts++, DOC_JSON);
      }
      db.exec("COMMIT");
      commits++;
    }
    const seconds = (performance.now() - start) / 1000;
    return {
      binding: binding.name,
      mode: mode.label,
      rows: rowsPerCommit,
      commits,
      seconds,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(results: Result[]): void {
  const header = [
    "binding",
    "journal / sync",
    "rows/commit",
    "commits/s",
    "rows/s",
    "ms/commit",
  ];
  const rows = results.map((r) => {
    const perSec = r.commits / r.seconds;
    return [
      r.binding,
      r.mode,
      String(r.rows),
      perSec.toFixed(0),
      (perSec * r.rows).toFixed(0),
      ((r.seconds * 1000) / r.commits).toFixed(2),
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
}

/** A few commits bracketed by markers on stderr, so strace shows which syncs each one made. */
function probe(spec: string): void {
  const [bindingName, ...modeParts] = spec.split("-");
  const binding = bindingName === "better" ? loadBetterSqlite3() : wasmBinding;
  const modeKey = modeParts.join("-");
  if (binding === undefined || MODES[modeKey] === undefined) {
    throw new Error(
      `usage: --probe (wasm|better)-(${Object.keys(MODES).join("|")})`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "sqlite-probe-"));
  const db = binding.open(join(dir, "probe.sqlite3"));
  applyMode(db, MODES[modeKey]);
  const upsert = db.prepareUpsert();
  for (let i = 0; i < 3; i++) {
    process.stderr.write(`probe: commit ${i} begin\n`);
    db.exec("BEGIN IMMEDIATE");
    upsert(`doc${i}`, BigInt(i), DOC_JSON);
    db.exec("COMMIT");
    process.stderr.write(`probe: commit ${i} returned\n`);
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

function main(): void {
  const probeAt = process.argv.indexOf("--probe");
  if (probeAt >= 0) return probe(process.argv[probeAt + 1] ?? "");
  const budgetMs = process.argv.includes("--quick") ? 400 : 1500;
  const better = loadBetterSqlite3();
  const plan: [Binding, string][] = [
    [wasmBinding, "wal-exclusive"],
    [wasmBinding, "truncate"],
    [wasmBinding, "persist"],
    [wasmBinding, "delete-extra"],
  ];
  if (better)
    plan.push(
      [better, "wal"],
      [better, "wal-exclusive"],
      [better, "delete-extra"],
    );
  const results: Result[] = [];
  for (const [binding, mode] of plan) {
    for (const rows of [1, 10, 100])
      results.push(run(binding, mode, rows, budgetMs));
  }
  printTable(results);
  if (!better) {
    console.log(
      "\nbetter-sqlite3 not found: `npm install --no-save better-sqlite3` or set BETTER_SQLITE3_DIR.",
    );
  }
}

main();
