/**
 * Admin commands on a data directory: seed demo data into the running
 * backend, and export / import every document as JSONL while it is stopped.
 *
 * JSONL format: the first line is `{"tables": {"<name>": <number>, ...}}`
 * (ids encode their table's number, so an import must keep them), then one
 * line per document: `{"table": "<name>", "doc": <Convex JSON>}`.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { JSONValue } from "convex/values";
import { databasePath } from "../dataDir";
import { acquireDataDir, findRunningBackend } from "../discovery";
import { TABLE_NUMBER_KEY_PREFIX, tableNumbersFrom } from "../engine/catalog";
import { openStore, type StoredDocument } from "../engine/store";

/** Runs convex/demo.ts `seed` in the running backend with its admin key. */
export async function seed(dataDir: string): Promise<JSONValue> {
  const running = await findRunningBackend(dataDir);
  if (running === null)
    throw new Error(
      `No backend is running for ${dataDir}: start it with \`switchboard-backend serve\`.`,
    );
  if (running.adminKey === undefined)
    throw new Error(`${dataDir}/state.json has no admin key.`);
  const client = new ConvexHttpClient(running.url, {
    skipConvexDeploymentUrlCheck: true,
    logger: false,
  });
  // setAdminAuth is marked internal in convex's types; the Convex CLI calls it the same way.
  (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(
    running.adminKey,
  );
  const result: unknown = await client.mutation(
    makeFunctionReference<"mutation">("demo:seed"),
    {},
  );
  return result as JSONValue;
}

type HeaderLine = { tables: Record<string, number> };
type DocumentLine = { table: string; doc: Record<string, JSONValue> };

export async function exportData(
  dataDir: string,
  out: Writable,
): Promise<number> {
  const lock = acquireDataDir(dataDir);
  const store = openStore(databasePath(dataDir));
  try {
    const { documents, kv } = store.load();
    const tables = Object.fromEntries(tableNumbersFrom(kv));
    await write(out, `${JSON.stringify({ tables } satisfies HeaderLine)}\n`);
    for (const document of documents) {
      await write(
        out,
        `{"table":${JSON.stringify(document.table)},"doc":${document.json}}\n`,
      );
    }
    return documents.length;
  } finally {
    store.close();
    lock.release();
  }
}

/** Loads a JSONL export into an empty data directory (one durable commit). */
export async function importData(
  dataDir: string,
  input: Readable,
): Promise<number> {
  const lock = acquireDataDir(dataDir);
  const store = openStore(databasePath(dataDir));
  try {
    if (store.load().documents.length > 0) {
      throw new Error(
        `${dataDir} already has data; import into a fresh data directory.`,
      );
    }
    const ts = BigInt(Date.now()) * 1_000_000n;
    const kv: Record<string, string> = {};
    const upserts: StoredDocument[] = [];
    let lineNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === "") continue;
      const parsed = JSON.parse(line) as Partial<HeaderLine & DocumentLine>;
      if (lineNumber === 1) {
        if (parsed.tables === undefined)
          throw new Error(
            "Line 1 must be the tables header of a switchboard-backend export.",
          );
        for (const [name, tableNumber] of Object.entries(parsed.tables))
          kv[TABLE_NUMBER_KEY_PREFIX + name] = String(tableNumber);
        continue;
      }
      const { table, doc } = parsed;
      if (
        typeof table !== "string" ||
        doc === undefined ||
        typeof doc._id !== "string" ||
        typeof doc._creationTime !== "number"
      ) {
        throw new Error(
          `Line ${lineNumber}: expected {"table": ..., "doc": {_id, _creationTime, ...}}.`,
        );
      }
      if (kv[TABLE_NUMBER_KEY_PREFIX + table] === undefined)
        throw new Error(
          `Line ${lineNumber}: table ${table} is not in the header.`,
        );
      upserts.push({
        id: doc._id,
        table,
        creationTime: doc._creationTime,
        ts,
        json: JSON.stringify(doc),
      });
    }
    store.commit({ ts, upserts, deletes: [], kv });
    return upserts.length;
  } finally {
    store.close();
    lock.release();
  }
}

function write(out: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(text)) resolve();
    else out.once("drain", resolve).once("error", reject);
  });
}
