import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  openStore,
  StoreCorruptError,
  StoreInUseError,
  type Store,
  type StoredDocument,
} from "../../../local-backend/engine/store";

let dir: string;
let file: string;
const open: Store[] = [];

function openTracked(path = file): Store {
  const store = openStore(path);
  open.push(store);
  return store;
}

function doc(
  id: string,
  ts: bigint,
  fields: Record<string, unknown> = {},
): StoredDocument {
  return {
    id,
    table: "tasks",
    creationTime: 1_700_000_000_000.25,
    ts,
    json: JSON.stringify({
      _id: id,
      _creationTime: 1_700_000_000_000.25,
      ...fields,
    }),
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "store-test-"));
  file = join(dir, "data", "db.sqlite3");
});

afterEach(() => {
  for (const store of open.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("store", () => {
  test("a new store is empty and creates its directory", () => {
    const store = openTracked();
    expect(existsSync(file)).toBe(true);
    const loaded = store.load();
    expect(loaded.documents).toEqual([]);
    expect(loaded.kv.size).toBe(0);
    expect(loaded.latestTs).toBe(0n);
  });

  test("round trip: upserts, updates, deletes and kv", () => {
    const store = openTracked();
    store.commit({
      ts: 10n,
      upserts: [doc("a", 10n, { n: 1 }), doc("b", 10n)],
      deletes: [],
      kv: { "tables:tasks": "1", other: "x" },
    });
    store.commit({
      ts: 11n,
      upserts: [doc("a", 11n, { n: 2 })],
      deletes: ["b", "never-existed"],
      kv: { other: null },
    });
    const { documents, kv, latestTs } = store.load();
    expect(documents).toEqual([doc("a", 11n, { n: 2 })]);
    expect([...kv]).toEqual([["tables:tasks", "1"]]);
    expect(latestTs).toBe(11n);
  });

  test("kv: null deletes a key; deleting a missing key is fine", () => {
    const store = openTracked();
    store.commit({ ts: 1n, upserts: [], deletes: [], kv: { a: "1", b: "2" } });
    store.commit({
      ts: 2n,
      upserts: [],
      deletes: [],
      kv: { a: null, zz: null },
    });
    expect([...store.load().kv]).toEqual([["b", "2"]]);
  });

  test("bigint ts round-trips across the whole signed 64-bit range we use", () => {
    const store = openTracked();
    const big = 2n ** 63n - 1n;
    const convexLike = 1_732_000_000_123_456_789n;
    store.commit({
      ts: big,
      upserts: [doc("max", big), doc("c", convexLike), doc("z", 0n)],
      deletes: [],
    });
    store.close();
    const loaded = openTracked().load();
    const byId = new Map(loaded.documents.map((d) => [d.id, d.ts]));
    expect(byId.get("max")).toBe(big);
    expect(byId.get("c")).toBe(convexLike);
    expect(byId.get("z")).toBe(0n);
    expect(loaded.latestTs).toBe(big);
  });

  test("timestamps outside [0, 2^63) are refused, not wrapped", () => {
    const store = openTracked();
    expect(() =>
      store.commit({ ts: 2n ** 63n, upserts: [], deletes: [] }),
    ).toThrow(RangeError);
    expect(() =>
      store.commit({ ts: 1n, upserts: [doc("a", -1n)], deletes: [] }),
    ).toThrow(RangeError);
    expect(store.load().documents).toEqual([]);
  });

  test("a batch is all or nothing: a failing statement mid-batch leaves nothing", () => {
    const store = openTracked();
    store.commit({
      ts: 1n,
      upserts: [doc("keep", 1n)],
      deletes: [],
      kv: { k: "old" },
    });
    // NaN binds as NULL, so the third upsert violates creation_time NOT NULL.
    const bad = { ...doc("bad", 2n), creationTime: Number.NaN };
    expect(() =>
      store.commit({
        ts: 2n,
        upserts: [
          doc("new1", 2n),
          doc("keep", 2n, { changed: true }),
          bad,
          doc("new2", 2n),
        ],
        deletes: [],
        kv: { k: "new" },
      }),
    ).toThrow(/NOT NULL/);
    const check = (s: Store, latest: bigint) => {
      const { documents, kv, latestTs } = s.load();
      expect(documents).toEqual([doc("keep", 1n)]);
      expect(kv.get("k")).toBe("old");
      expect(latestTs).toBe(latest);
    };
    check(store, 1n);
    // Still usable after the failed batch, and nothing of it reached the disk.
    store.commit({ ts: 3n, upserts: [], deletes: [], kv: { after: "yes" } });
    store.close();
    const reopened = openTracked();
    expect(reopened.load().kv.get("after")).toBe("yes");
    reopened.commit({ ts: 4n, upserts: [], deletes: [], kv: { after: null } });
    check(reopened, 4n);
  });

  test("an id both upserted and deleted in one batch is refused", () => {
    const store = openTracked();
    expect(() =>
      store.commit({ ts: 1n, upserts: [doc("a", 1n)], deletes: ["a"] }),
    ).toThrow(/both/);
  });

  test("reopen after close sees every commit; latestTs survives a delete-only batch", () => {
    const store = openTracked();
    for (let i = 1; i <= 50; i++) {
      store.commit({
        ts: BigInt(i),
        upserts: [doc(`d${i}`, BigInt(i), { i })],
        deletes: [],
      });
    }
    store.commit({ ts: 51n, upserts: [], deletes: ["d50"] });
    store.close();
    expect(() => store.commit({ ts: 52n, upserts: [], deletes: [] })).toThrow(
      /closed/,
    );
    store.close(); // Idempotent.
    const loaded = openTracked().load();
    expect(loaded.documents).toHaveLength(49);
    expect(loaded.latestTs).toBe(51n);
    expect(existsSync(`${file}.owner`)).toBe(true);
  });

  test("leaves no lock or owner files after close", () => {
    openTracked().close();
    expect(existsSync(`${file}.owner`)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test("refuses a second open of the same file in the same process", () => {
    openTracked();
    expect(() => openStore(file)).toThrow(StoreInUseError);
  });

  test("takes over a dead owner's leftovers (owner file and VFS lock directory)", () => {
    const store = openTracked();
    store.commit({ ts: 1n, upserts: [doc("a", 1n)], deletes: [] });
    store.close();
    // What a SIGKILLed backend leaves: an owner file with its (dead) pid and the lock dir.
    writeFileSync(`${file}.owner`, "999999999");
    mkdirSync(`${file}.lock`);
    expect(openTracked().load().documents).toHaveLength(1);
  });

  test("a file of garbage is reported as corrupt", () => {
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(file, Buffer.alloc(16384, 0x5a));
    expect(() => openStore(file)).toThrow(StoreCorruptError);
    expect(() => openStore(file)).toThrow(/corrupt or not a SQLite database/);
    // A failed open releases everything it took.
    expect(existsSync(`${file}.owner`)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test("a valid header with damaged pages is reported as corrupt", () => {
    const store = openTracked();
    for (let i = 0; i < 20; i++) {
      store.commit({
        ts: BigInt(i + 1),
        upserts: [doc(`d${i}`, BigInt(i + 1), { pad: "x".repeat(2000) })],
        deletes: [],
      });
    }
    store.close(); // Checkpoints the WAL into the database file and removes it.
    expect(existsSync(`${file}-wal`)).toBe(false);
    // Keep page 1 (the header and schema), scribble over the rest.
    const fd = openSync(file, "r+");
    try {
      writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, 4096);
    } finally {
      closeSync(fd);
    }
    expect(() => openStore(file)).toThrow(StoreCorruptError);
  });
});
