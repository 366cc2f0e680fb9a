import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  StoreCorruptError,
  StoreInUseError,
} from "../../../local-backend/engine/store";
import { openStoreThread } from "../../../local-backend/engine/storeThread";

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "store-thread-test-"));
  file = join(dir, "db.sqlite3");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function upsert(id: string, ts: bigint) {
  return {
    ts,
    upserts: [
      {
        id,
        table: "tasks",
        creationTime: 1,
        ts,
        json: JSON.stringify({ _id: id, _creationTime: 1 }),
      },
    ],
    deletes: [],
    kv: { [`k-${id}`]: "v" },
  };
}

test("commits on the worker thread are durable and load back in order", async () => {
  const store = await openStoreThread(file);
  expect(store.load().documents).toEqual([]);
  expect(() => store.load()).toThrow(/loaded already/);
  // Several commits in flight at once land in order.
  await Promise.all(
    [upsert("a", 10n), upsert("b", 11n), upsert("c", 12n)].map((b) =>
      store.commit(b),
    ),
  );
  await store.close();
  await store.close(); // Idempotent.

  const again = await openStoreThread(file);
  const state = again.load();
  expect(state.documents.map((d) => d.id).sort()).toEqual(["a", "b", "c"]);
  expect(state.latestTs).toBe(12n);
  expect(state.kv.get("k-b")).toBe("v");
  await again.close();
});

test("store failures cross the thread with their kind and message", async () => {
  const store = await openStoreThread(file);
  await expect(openStoreThread(file)).rejects.toBeInstanceOf(StoreInUseError);
  // A batch the store refuses rejects that commit; the store stays usable.
  await expect(
    store.commit({ ...upsert("d", 5n), deletes: ["d"] }),
  ).rejects.toThrow(/both upserted and deleted/);
  await store.commit(upsert("e", 6n));
  await store.close();

  const junk = join(dir, "junk.sqlite3");
  writeFileSync(junk, "this is not a database, just some text ".repeat(200));
  await expect(openStoreThread(junk)).rejects.toBeInstanceOf(StoreCorruptError);
});
