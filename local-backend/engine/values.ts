/**
 * Convex's total order over values, used for index keys, index range bounds,
 * `q.eq`/`q.lt` filters and `order()`; plus the value printer that error
 * messages share.
 *
 * Sources (convex 1.48.0 and the Convex backend):
 * - Cross-type order, from `crates/value/src/sorting.rs` in
 *   get-convex/convex-backend (the sort-key tags and the manual `Ord` impl,
 *   which are proptested to agree) and from the client's own
 *   `node_modules/convex/src/values/compare.ts` (`makeComparable` ranks):
 *     undefined < null < int64 (bigint) < float64 (number) < boolean
 *       < string < bytes (ArrayBuffer) < array < object
 *   `undefined` only occurs in index keys: a missing field, which sorts
 *   before `null` (sort-key tag 0x01 vs 0x03).
 * - float64: IEEE-754 total order (`f64::total_cmp` in Rust; the sort key
 *   flips the bits of negatives and sets the sign bit of positives). So
 *   -NaN < -Infinity < ... < -0 < +0 < ... < +Infinity < +NaN, -0 is NOT
 *   equal to +0, and NaN equals NaN with the same bits. The client's
 *   compare.ts agrees except between two negative NaNs with different
 *   payloads; we follow the server, which owns index order.
 * - string: by UTF-8 bytes (Rust `String` order; the client uses
 *   `compareUTF8`), i.e. by code point, not by UTF-16 code unit.
 * - bytes: unsigned lexicographic; array: element-wise, a prefix first.
 * - object: fields in key order (a BTreeMap in Rust), compared as the
 *   sequence key1, value1, key2, value2, ...; a prefix first.
 */
import { CommitTsPlaceholder, type Value } from "convex/values";

/** Anything that can stand in an index key: a value, or a missing field. */
export type KeyValue = Value | undefined;

const MAX_INT64 = 2n ** 63n - 1n;
const SIGN_BIT = 1n << 63n;
const ALL_BITS = (1n << 64n) - 1n;

// Scratch buffers to read a float's bits without allocating per comparison.
const floatScratch = new Float64Array(1);
const bitsScratch = new BigUint64Array(floatScratch.buffer);

export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // Not `instanceof`: values may come from another realm (a vm context).
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}

function typeRank(value: KeyValue): number {
  if (value === undefined) return 0;
  if (value === null) return 1;
  switch (typeof value) {
    case "bigint":
      return 2;
    case "number":
      return 3;
    case "boolean":
      return 4;
    case "string":
      return 5;
  }
  // An unresolved `db.vars.commitTs` sorts as the largest int64, as the
  // client's compare.ts does: it resolves to a timestamp later than any other.
  if (value instanceof CommitTsPlaceholder) return 2;
  if (isArrayBuffer(value)) return 6;
  if (Array.isArray(value)) return 7;
  return 8;
}

/** Negative if a < b, 0 if they are the same Convex value, positive if a > b. */
export function compareValues(a: KeyValue, b: KeyValue): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 0:
    case 1:
      return 0;
    case 2:
      return compareBigints(asInt64(a), asInt64(b));
    case 3:
      return compareFloats(a as number, b as number);
    case 4:
      return a === b ? 0 : a === false ? -1 : 1;
    case 5:
      return compareStrings(a as string, b as string);
    case 6:
      return compareBytes(a as ArrayBuffer, b as ArrayBuffer);
    case 7:
      return compareArrays(a as Value[], b as Value[]);
    default:
      return compareObjects(a as ObjectValue, b as ObjectValue);
  }
}

/** Composite index keys: field by field, a shorter key (a prefix) first. */
export function compareIndexKeys(
  a: readonly KeyValue[],
  b: readonly KeyValue[],
): number {
  return compareSequences(a, b);
}

export function valuesEqual(a: KeyValue, b: KeyValue): boolean {
  return compareValues(a, b) === 0;
}

type ObjectValue = { [key: string]: Value | undefined };

function asInt64(value: KeyValue): bigint {
  return typeof value === "bigint" ? value : MAX_INT64;
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  // Equal and not both zero, or zeros of the same sign: the same value.
  if (a === b && (a !== 0 || Object.is(a, b))) return 0;
  // Left: a NaN, or +0 against -0. Compare IEEE total-order keys.
  return compareBigints(totalOrderKey(a), totalOrderKey(b));
}

function totalOrderKey(n: number): bigint {
  floatScratch[0] = n;
  const bits = bitsScratch[0] ?? 0n;
  return (bits & SIGN_BIT) !== 0n ? ~bits & ALL_BITS : bits | SIGN_BIT;
}

/**
 * UTF-8 byte order equals code point order. Below U+D800 a UTF-16 code unit
 * is its code point, so only a difference at or above the surrogate range
 * needs the code point. (Strings with unpaired surrogates, which Convex
 * refuses to store, may order differently from their WTF-8 bytes.)
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return (a.codePointAt(i) ?? x) < (b.codePointAt(i) ?? y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareBytes(a: ArrayBuffer, b: ArrayBuffer): number {
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

function compareSequences(a: readonly KeyValue[], b: readonly KeyValue[]) {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareArrays(a: Value[], b: Value[]): number {
  return compareSequences(a, b);
}

/** Present fields in key order; an `undefined` field is absent, as in storage. */
export function sortedEntries(object: ObjectValue): [string, Value][] {
  const entries: [string, Value][] = [];
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value !== undefined) entries.push([key, value]);
  }
  return entries.sort(([k1], [k2]) => compareStrings(k1, k2));
}

function compareObjects(a: ObjectValue, b: ObjectValue): number {
  const x = sortedEntries(a);
  const y = sortedEntries(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    const [keyA, valueA] = x[i] ?? ["", null];
    const [keyB, valueB] = y[i] ?? ["", null];
    const c = compareStrings(keyA, keyB) || compareValues(valueA, valueB);
    if (c !== 0) return c;
  }
  return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
}

/**
 * A value as Convex prints it in error messages (the `Display` impls in
 * `crates/value/src`): int64 as a plain integer, float64 in Rust's `{:?}`
 * form (`3.0`), strings quoted, bytes as `b"<base64>"`, objects as
 * `{a: 1.0, b: "x"}` with sorted keys.
 */
export function formatValue(value: KeyValue): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      return formatFloat(value);
    case "boolean":
      return String(value);
    case "string":
      return JSON.stringify(value);
  }
  if (value instanceof CommitTsPlaceholder) return value.toString();
  if (isArrayBuffer(value)) {
    return `b"${Buffer.from(value).toString("base64")}"`;
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  const fields = sortedEntries(value).map(
    ([key, field]) => `${key}: ${formatValue(field)}`,
  );
  return `{${fields.join(", ")}}`;
}

/**
 * Rust's `{:?}` for f64: integers keep a `.0`, and exponent notation is used
 * below 1e-4 and from 1e16 on (`1e16`, `1.5e-7`).
 */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Object.is(n, -0)) return "-0.0";
  const magnitude = Math.abs(n);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return n.toExponential().replace("e+", "e");
  }
  const text = String(n);
  return Number.isInteger(n) ? `${text}.0` : text;
}
