/**
 * The current state of every table, in memory, with one B-tree per index.
 * SQLite (store.ts) only makes it durable; every read is served from here.
 * Execution is serialized (executor.ts), so a transaction can write straight
 * into these structures and undo its writes if it fails.
 */
import type { Value } from "convex/values";
import BTree from "sorted-btree";
import { compareKeys, type Key } from "./keys";
import { indexKey } from "./schema";

/** A stored document: user fields plus the `_id` and `_creationTime` system fields. */
export type Doc = { _id: string; _creationTime: number } & {
  [field: string]: Value;
};

/** An index's full key: its declared fields, then `_creationTime`, then `_id`. */
export type IndexDef = { name: string; fields: readonly string[] };

export const BY_ID: IndexDef = { name: "by_id", fields: ["_id"] };
export const BY_CREATION_TIME: IndexDef = {
  name: "by_creation_time",
  fields: ["_creationTime", "_id"],
};

export class Index {
  readonly tree: BTree<Key, string>;

  constructor(readonly def: IndexDef) {
    this.tree = new BTree<Key, string>(undefined, compareKeys);
  }

  keyOf(doc: Doc): Key {
    return indexKey(doc, this.def.fields);
  }
}

export class Table {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();

  constructor(
    readonly name: string,
    readonly number: number,
    indexDefs: readonly IndexDef[],
  ) {
    for (const def of [BY_ID, BY_CREATION_TIME, ...indexDefs]) {
      this.indexes.set(def.name, new Index(def));
    }
  }

  /**
   * Inserts or replaces a document, keeping every index in step. A replaced
   * document moves only in the indexes whose key changed: a task claim
   * changes four of the tasks table's eight, a lease renewal one or two.
   */
  put(doc: Doc): void {
    const previous = this.docs.get(doc._id);
    this.docs.set(doc._id, doc);
    for (const index of this.indexes.values()) {
      const key = index.keyOf(doc);
      if (previous !== undefined) {
        const before = index.keyOf(previous);
        if (compareKeys(before, key) === 0) continue;
        index.tree.delete(before);
      }
      index.tree.set(key, doc._id);
    }
  }

  remove(id: string): void {
    const previous = this.docs.get(id);
    if (previous === undefined) return;
    this.unindex(previous);
    this.docs.delete(id);
  }

  private unindex(doc: Doc): void {
    for (const index of this.indexes.values())
      index.tree.delete(index.keyOf(doc));
  }
}

export class Database {
  private readonly byName = new Map<string, Table>();
  private readonly byNumber = new Map<number, Table>();

  table(name: string): Table | undefined {
    return this.byName.get(name);
  }

  tableByNumber(tableNumber: number): Table | undefined {
    return this.byNumber.get(tableNumber);
  }

  tables(): IterableIterator<Table> {
    return this.byName.values();
  }

  addTable(
    name: string,
    tableNumber: number,
    indexDefs: readonly IndexDef[],
  ): Table {
    if (this.byName.has(name) || this.byNumber.has(tableNumber)) {
      throw new Error(`Table ${name} (#${tableNumber}) is defined twice.`);
    }
    const table = new Table(name, tableNumber, indexDefs);
    this.byName.set(name, table);
    this.byNumber.set(tableNumber, table);
    return table;
  }

  /** The lowest unused table number at or above `from` (system tables use a high range). */
  nextTableNumber(from: number): number {
    let candidate = from;
    while (this.byNumber.has(candidate)) candidate++;
    return candidate;
  }
}
