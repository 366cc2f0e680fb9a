/**
 * One query or mutation: the database syscalls convex/server makes, served
 * from memory, with the read set recorded for subscriptions and every write
 * applied in place with an undo entry. The executor runs one transaction at
 * a time, so writing in place is serializable; a failed mutation rolls back.
 */
import {
  convexToJson,
  jsonToConvex,
  type JSONValue,
  type Value,
} from "convex/values";
import type { Catalog } from "./catalog";
import { SCHEDULED_FUNCTIONS } from "./catalog";
import type { Doc, Table } from "./database";
import { fail } from "./errors";
import { matchesFilter } from "./filters";
import type { Key } from "./keys";
import { LIMITS } from "./limits";
import { readPage } from "./pagination";
import {
  nextKey,
  planQuery,
  type Plan,
  type SerializedQuery,
} from "./queryPlan";
import { ReadSetImpl, type DocumentWrite } from "./readSet";
import { valueSize } from "./validators";

export type TransactionKind = "query" | "mutation";

type Stream = { plan: Plan; last: Key | null; returned: number; done: boolean };

export class Transaction {
  readonly reads = new ReadSetImpl();
  readonly writes: DocumentWrite[] = [];
  private readonly streams = new Map<number, Stream>();
  private nextStreamId = 1;
  private open = true;
  private documentsScanned = 0;
  private indexRanges = 0;
  private bytesRead = 0;
  private bytesWritten = 0;
  private scheduled = 0;

  constructor(
    readonly kind: TransactionKind,
    private readonly catalog: Catalog,
    /** Creation times handed out so far, to keep `_creationTime` strictly increasing. */
    private readonly clock: { lastCreationTime: number },
  ) {}

  // ---- lifecycle --------------------------------------------------------

  close(): void {
    this.open = false;
    this.streams.clear();
  }

  /** Undoes every write, newest first. */
  rollback(): void {
    this.rollbackTo(0);
    this.close();
  }

  /** A point to roll back to when a nested ctx.runMutation fails. */
  savepoint(): number {
    return this.writes.length;
  }

  rollbackTo(savepoint: number): void {
    while (this.writes.length > savepoint) {
      const write = this.writes.pop()!;
      const table = this.catalog.db.table(write.table);
      if (table === undefined) continue;
      if (write.before === null) table.remove(write.id);
      else table.put(write.before);
    }
  }

  private assertOpen(): void {
    if (!this.open)
      fail(
        "This transaction is over: a function kept running after it returned or timed out.",
      );
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.kind !== "mutation") fail("Queries cannot write: use a mutation.");
  }

  // ---- reads --------------------------------------------------------------

  private countRead(doc: Doc | undefined): void {
    this.documentsScanned++;
    if (this.documentsScanned > LIMITS.documentsScanned) {
      fail(
        `Too many documents read in a single function execution (limit: ${LIMITS.documentsScanned}).`,
      );
    }
    if (doc !== undefined) {
      this.bytesRead += valueSize(doc);
      if (this.bytesRead > LIMITS.bytesRead) {
        fail(
          `Too many bytes read in a single function execution (limit: ${LIMITS.bytesRead}).`,
        );
      }
    }
  }

  private countIndexRange(): void {
    this.indexRanges++;
    if (this.indexRanges > LIMITS.indexRanges) {
      fail(
        `Too many reads (db.get / db.query) in a single function execution (limit: ${LIMITS.indexRanges}).`,
      );
    }
  }

  private resolveTable(
    id: string,
    tableName: string | undefined,
  ): Table | undefined {
    const table = this.catalog.tableOfId(id);
    if (
      tableName !== undefined &&
      table !== undefined &&
      table.name !== tableName
    ) {
      fail(
        `The id ${id} belongs to table "${table.name}", not "${tableName}".`,
      );
    }
    return table;
  }

  get(id: string, tableName: string | undefined): Doc | null {
    this.assertOpen();
    this.countIndexRange();
    this.reads.ids.add(id);
    const doc = this.resolveTable(id, tableName)?.docs.get(id);
    this.countRead(doc);
    return doc ?? null;
  }

  normalizeId(tableName: string, idString: string): string | null {
    return this.catalog.isIdOfTable(idString, tableName) ? idString : null;
  }

  count(tableName: string): number {
    this.assertOpen();
    this.reads.tables.add(tableName);
    return this.catalog.tableForRead(tableName)?.docs.size ?? 0;
  }

  private plan(query: SerializedQuery): Plan {
    return planQuery(query, (tableName, indexName) => {
      const table = this.catalog.tableForRead(tableName);
      const index = table?.indexes.get(indexName);
      if (index === undefined) {
        if (table === undefined) fail(`Table "${tableName}" does not exist.`);
        fail(
          `Index ${tableName}.${indexName} not found. Indexes: ${[...table.indexes.keys()].join(", ")}.`,
        );
      }
      return index;
    });
  }

  startStream(query: SerializedQuery): number {
    this.assertOpen();
    this.countIndexRange();
    const plan = this.plan(query);
    const streamId = this.nextStreamId++;
    this.streams.set(streamId, { plan, last: null, returned: 0, done: false });
    return streamId;
  }

  /** The next matching document of a stream, or null at its end. */
  nextInStream(streamId: number): Doc | null {
    this.assertOpen();
    const stream = this.streams.get(streamId);
    if (stream === undefined) fail(`Unknown query stream ${streamId}.`);
    if (stream.done) return null;
    const { plan } = stream;
    if (plan.limit !== null && stream.returned >= plan.limit)
      return this.endStream(stream);
    const table = this.catalog.tableForRead(plan.table);
    const index = table?.indexes.get(plan.index);
    if (table === undefined || index === undefined)
      return this.endStream(stream);
    for (;;) {
      const next = nextKey(index, plan.interval, plan.order, stream.last);
      if (next === null) return this.endStream(stream, true);
      stream.last = next[0];
      const doc = table.docs.get(next[1]);
      this.countRead(doc);
      if (
        doc !== undefined &&
        plan.filters.every((filter) => matchesFilter(doc, filter))
      ) {
        stream.returned++;
        return doc;
      }
    }
  }

  /** Records what the stream covered; `exhausted` means it reached the end of its interval. */
  private endStream(stream: Stream, exhausted = false): null {
    if (!stream.done) {
      stream.done = true;
      const { plan } = stream;
      this.reads.addRange({
        table: plan.table,
        index: plan.index,
        interval: exhausted
          ? plan.interval
          : ReadSetImpl.scanned(plan.interval, plan.order, stream.last),
      });
    }
    return null;
  }

  cleanupStream(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (stream !== undefined) this.endStream(stream);
    this.streams.delete(streamId);
  }

  /** `.paginate()`: a page after `cursor`, ending at `endCursor` when the client pins it. */
  page(args: {
    query: SerializedQuery;
    cursor: string | null;
    endCursor: string | null;
    pageSize: number;
    maximumRowsRead: number | null;
  }): { page: Doc[]; isDone: boolean; continueCursor: string } {
    this.assertOpen();
    this.countIndexRange();
    const plan = this.plan(args.query);
    const table = this.catalog.tableForRead(plan.table);
    return readPage(
      {
        plan,
        table,
        index: table?.indexes.get(plan.index),
        countRead: (doc) => this.countRead(doc),
        reads: this.reads,
      },
      args,
    );
  }

  // ---- writes -------------------------------------------------------------

  private record(
    table: Table,
    id: string,
    before: Doc | null,
    after: Doc | null,
  ): void {
    this.writes.push({ table: table.name, id, before, after });
    if (this.writes.length > LIMITS.documentsWritten) {
      fail(
        `Too many documents written in a single mutation (limit: ${LIMITS.documentsWritten}).`,
      );
    }
    if (after !== null) {
      const size = valueSize(after);
      if (size > LIMITS.documentSize) {
        fail(
          `Document is too large (${size} bytes; limit ${LIMITS.documentSize}).`,
        );
      }
      this.bytesWritten += size;
      if (this.bytesWritten > LIMITS.bytesWritten) {
        fail(
          `Too many bytes written in a single mutation (limit: ${LIMITS.bytesWritten}).`,
        );
      }
    }
  }

  private store(table: Table, doc: Doc, before: Doc | null): void {
    const error = this.catalog.validateDocument(table.name, doc);
    if (error !== null) fail(error);
    this.record(table, doc._id, before, doc);
    table.put(doc);
  }

  private nextCreationTime(): number {
    // Strictly increasing, so by_creation_time order is insertion order.
    const now = Math.max(Date.now(), this.clock.lastCreationTime + 1 / 512);
    this.clock.lastCreationTime = now;
    return now;
  }

  insert(tableName: string, value: Record<string, Value>): string {
    this.assertWritable();
    const table = this.catalog.tableForWrite(tableName);
    return this.insertInto(table, value);
  }

  private insertInto(table: Table, value: Record<string, Value>): string {
    for (const field of ["_id", "_creationTime"]) {
      if (field in value)
        fail(`Provided document contains the system field "${field}".`);
    }
    const doc: Doc = {
      ...value,
      _id: this.catalog.newIdIn(table),
      _creationTime: this.nextCreationTime(),
    };
    this.store(table, doc, null);
    return doc._id;
  }

  private existing(
    id: string,
    tableName: string | undefined,
    verb: string,
  ): { table: Table; doc: Doc } {
    const table = this.resolveTable(id, tableName);
    const doc = table?.docs.get(id);
    if (table === undefined || doc === undefined)
      fail(`${verb} on nonexistent document ID ${id}.`);
    return { table, doc };
  }

  /** db.patch: fields set to undefined are removed. */
  patch(
    id: string,
    tableName: string | undefined,
    fields: Record<string, Value | undefined>,
  ): void {
    this.assertWritable();
    const { table, doc } = this.existing(id, tableName, "Patch");
    const next: Record<string, Value> = { ...doc };
    for (const [field, value] of Object.entries(fields)) {
      if (field === "_id" || field === "_creationTime") {
        if (value !== doc[field])
          fail(`System field "${field}" cannot be modified.`);
        continue;
      }
      if (value === undefined) delete next[field];
      else next[field] = value;
    }
    this.store(table, next as Doc, doc);
  }

  replace(
    id: string,
    tableName: string | undefined,
    value: Record<string, Value>,
  ): void {
    this.assertWritable();
    const { table, doc } = this.existing(id, tableName, "Replace");
    for (const field of ["_id", "_creationTime"] as const) {
      if (field in value && value[field] !== doc[field])
        fail(`System field "${field}" cannot be modified.`);
    }
    this.store(
      table,
      { ...value, _id: doc._id, _creationTime: doc._creationTime },
      doc,
    );
  }

  remove(id: string, tableName: string | undefined): void {
    this.assertWritable();
    const { table, doc } = this.existing(id, tableName, "Delete");
    if (table.name.startsWith("_"))
      fail(`Documents of system table ${table.name} cannot be deleted.`);
    this.record(table, id, doc, null);
    table.remove(id);
  }

  // ---- scheduler (documents in _scheduled_functions) ---------------------

  schedule(udfPath: string, scheduledTimeMs: number, args: JSONValue): string {
    this.assertWritable();
    this.scheduled++;
    if (this.scheduled > LIMITS.scheduledPerTransaction) {
      fail(
        `Too many functions scheduled by one mutation (limit: ${LIMITS.scheduledPerTransaction}).`,
      );
    }
    const table = this.catalog.systemTable(SCHEDULED_FUNCTIONS);
    return this.insertInto(table, {
      name: udfPath,
      args: [jsonToConvex(args)],
      scheduledTime: scheduledTimeMs,
      state: { kind: "pending" },
    });
  }

  /** Sets a scheduled job's state; cancel only affects jobs that have not started. */
  setJobState(
    jobId: string,
    state: Record<string, Value>,
    completedTime?: number,
  ): void {
    this.assertWritable();
    const table = this.catalog.systemTable(SCHEDULED_FUNCTIONS);
    const doc = table.docs.get(jobId);
    if (doc === undefined) fail(`Scheduled function ${jobId} not found.`);
    const next: Doc = { ...doc, state };
    if (completedTime !== undefined) next.completedTime = completedTime;
    this.record(table, jobId, doc, next);
    table.put(next);
  }

  cancelJob(jobId: string): void {
    const table = this.catalog.systemTable(SCHEDULED_FUNCTIONS);
    const doc = table.docs.get(jobId);
    if (doc === undefined) fail(`Scheduled function ${jobId} not found.`);
    const state = doc.state as { kind: string };
    if (state.kind === "pending" || state.kind === "inProgress") {
      this.setJobState(jobId, { kind: "canceled" }, Date.now());
    }
  }
}

/**
 * Documents as Convex-JSON text, one per document version. A write stores a new
 * object and never changes a stored one in place, so an object's text stays
 * true. Functions read the same unchanged documents again and again (every
 * re-run of a query after an unrelated write), and converting them was ~8% of
 * a list query's backend time in a profile. Weak: a replaced version's text
 * goes with it.
 */
const jsonTextOf = new WeakMap<Doc, string>();

export function docJsonText(doc: Doc | null): string {
  if (doc === null) return "null";
  let text = jsonTextOf.get(doc);
  if (text === undefined) {
    text = JSON.stringify(convexToJson(doc));
    jsonTextOf.set(doc, text);
  }
  return text;
}
