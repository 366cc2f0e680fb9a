/**
 * `.paginate()`: one page of a planned query, read from an index after the
 * client's cursor. When the client pins `endCursor`, pageSize no longer
 * applies and the page runs to exactly that key (maximumRowsRead still does),
 * so a loaded page keeps its bounds as documents come and go. The index range
 * the page covered is added to the read set, so writes inside it invalidate
 * the query.
 */
import { decodeCursor, encodeCursor, END_CURSOR } from "./cursors";
import type { Doc, Index, Table } from "./database";
import { matchesFilter } from "./filters";
import { compareKeys, TOP, type Key } from "./keys";
import { nextKey, type Interval, type Plan } from "./queryPlan";
import type { ReadSetImpl } from "./readSet";

/** What a page reads, and the transaction's read accounting, which enforces its limits. */
export type PageSource = {
  plan: Plan;
  /** Undefined when the table or index does not exist (yet): the page is empty and done. */
  table: Table | undefined;
  index: Index | undefined;
  countRead: (doc: Doc | undefined) => void;
  reads: ReadSetImpl;
};

export type PageRequest = {
  cursor: string | null;
  endCursor: string | null;
  pageSize: number;
  maximumRowsRead: number | null;
};

export type PageResult = {
  page: Doc[];
  isDone: boolean;
  continueCursor: string;
};

/** Reads one page and records the index range it covered in `source.reads`. */
export function readPage(source: PageSource, args: PageRequest): PageResult {
  const { plan, table, index, countRead, reads } = source;
  const start = args.cursor === null ? null : decodeCursor(args.cursor);
  const end = args.endCursor === null ? null : decodeCursor(args.endCursor);
  const page: Doc[] = [];
  let last: Key | null = start === END_CURSOR ? null : start;
  let isDone =
    start === END_CURSOR || table === undefined || index === undefined;
  let rowsRead = 0;
  while (!isDone && table !== undefined && index !== undefined) {
    if (end === null && page.length >= args.pageSize) break;
    if (args.maximumRowsRead !== null && rowsRead >= args.maximumRowsRead)
      break;
    const next = nextKey(index, plan.interval, plan.order, last);
    if (next === null) {
      isDone = true;
      break;
    }
    if (end !== null && end !== END_CURSOR && pastEnd(next[0], end, plan.order))
      break;
    last = next[0];
    rowsRead++;
    const doc = table.docs.get(next[1]);
    countRead(doc);
    if (
      doc !== undefined &&
      plan.filters.every((filter) => matchesFilter(doc, filter))
    )
      page.push(doc);
  }
  const startKey = start === null || start === END_CURSOR ? null : start;
  reads.addRange({
    table: plan.table,
    index: plan.index,
    interval: pageInterval(plan, startKey, isDone ? null : last),
  });
  return {
    page,
    isDone,
    continueCursor: isDone ? END_CURSOR_STRING : encodeCursor(last),
  };
}

const END_CURSOR_STRING = encodeCursor(END_CURSOR);

/** Whether `key` lies beyond a page's pinned end cursor in the walk's direction. */
function pastEnd(key: Key, end: Key, order: "asc" | "desc"): boolean {
  const comparison = compareKeys(key, end);
  return order === "asc" ? comparison > 0 : comparison < 0;
}

/** The part of the plan's interval a page covered: after the start cursor, through its last key. */
function pageInterval(
  plan: Plan,
  after: Key | null,
  through: Key | null,
): Interval {
  const { interval, order } = plan;
  if (order === "asc") {
    return {
      start: after === null ? interval.start : [...after, TOP],
      end: through === null ? interval.end : [...through, TOP],
    };
  }
  return {
    start: through === null ? interval.start : through,
    end: after === null ? interval.end : after,
  };
}
