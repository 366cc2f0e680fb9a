/**
 * What a query read and what a commit wrote, and whether they overlap: the
 * test that decides which subscriptions re-run after a commit.
 */
import type { Database, Doc } from "./database";
import { TOP, type Key } from "./keys";
import { inInterval, type Interval } from "./queryPlan";
import type { ReadSet, WriteSet } from "./types";

export type ReadRange = { table: string; index: string; interval: Interval };

export class ReadSetImpl {
  readonly ranges: ReadRange[] = [];
  readonly ids = new Set<string>();
  /** Tables read whole (count()). */
  readonly tables = new Set<string>();

  addRange(range: ReadRange): void {
    this.ranges.push(range);
  }

  /** The part of an interval a walk actually covered, when it stopped at `last`. */
  static scanned(
    interval: Interval,
    order: "asc" | "desc",
    last: Key | null,
  ): Interval {
    if (last === null) return interval;
    // Keys are unique, so `last + TOP` is just past `last` and before the next key.
    return order === "asc"
      ? { start: interval.start, end: [...last, TOP] }
      : { start: last, end: interval.end };
  }

  asReadSet(): ReadSet {
    return this as unknown as ReadSet;
  }
}

export type DocumentWrite = {
  table: string;
  id: string;
  before: Doc | null;
  after: Doc | null;
};

export class WriteSetImpl {
  constructor(
    readonly writes: readonly DocumentWrite[],
    /** Set when the code changed (watch mode): every query must re-run. */
    readonly invalidatesAll = false,
  ) {}

  static everything(): WriteSetImpl {
    return new WriteSetImpl([], true);
  }

  asWriteSet(): WriteSet {
    return this as unknown as WriteSet;
  }
}

export function isInvalidatedBy(
  db: Database,
  readSet: ReadSet,
  writeSet: WriteSet,
): boolean {
  const reads = readSet as unknown as ReadSetImpl;
  const { writes, invalidatesAll } = writeSet as unknown as WriteSetImpl;
  if (invalidatesAll) return true;
  for (const write of writes) {
    if (reads.ids.has(write.id) || reads.tables.has(write.table)) return true;
    for (const range of reads.ranges) {
      if (range.table !== write.table) continue;
      const index = db.table(range.table)?.indexes.get(range.index);
      // The index vanished (schema reload): re-run to be safe.
      if (index === undefined) return true;
      for (const doc of [write.before, write.after]) {
        if (doc !== null && inInterval(index.keyOf(doc), range.interval))
          return true;
      }
    }
  }
  return false;
}
