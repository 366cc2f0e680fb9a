/**
 * Between the engine's in-memory database and the SQLite store: loading stored
 * documents at start, and turning a batch of transactions into the rows one
 * commit writes (only each document's final state in the batch).
 */
import { convexToJson, jsonToConvex, type JSONValue } from "convex/values";
import type { Catalog } from "./catalog";
import type { Doc } from "./database";
import type { DocumentWrite } from "./readSet";
import type { CommitBatch, StoredDocument } from "./store";
import type { Transaction } from "./transaction";
import type { Timestamp } from "./types";

/** Puts every stored document into its table; returns the newest `_creationTime` seen. */
export function loadDocuments(
  catalog: Catalog,
  documents: readonly StoredDocument[],
): number {
  let lastCreationTime = 0;
  for (const stored of documents) {
    const table =
      catalog.db.table(stored.table) ?? catalog.systemTable(stored.table);
    const doc = jsonToConvex(JSON.parse(stored.json) as JSONValue) as Doc;
    table.put(doc);
    if (doc._creationTime > lastCreationTime)
      lastCreationTime = doc._creationTime;
  }
  return lastCreationTime;
}

/** The upserts and deletes that make a batch of transactions durable at `ts`. */
export function rowsOf(
  txs: readonly Transaction[],
  ts: Timestamp,
): Pick<CommitBatch, "upserts" | "deletes"> {
  const finalById = new Map<string, DocumentWrite>();
  for (const tx of txs)
    for (const write of tx.writes) finalById.set(write.id, write);
  const upserts: StoredDocument[] = [];
  const deletes: string[] = [];
  for (const write of finalById.values()) {
    if (write.after === null) deletes.push(write.id);
    else {
      upserts.push({
        id: write.id,
        table: write.table,
        creationTime: write.after._creationTime,
        ts,
        json: JSON.stringify(convexToJson(write.after)),
      });
    }
  }
  return { upserts, deletes };
}
