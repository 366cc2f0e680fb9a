/**
 * Index keys and the bounds used to seek in them. A bound may end with TOP,
 * a marker greater than every value, so "all keys starting with P" is the
 * half-open interval [P, P+TOP).
 */
import type { Value } from "convex/values";
import { compareValues } from "./values";

export const TOP: unique symbol = Symbol("top");
export type KeyPart = Value | undefined | typeof TOP;
export type Key = readonly KeyPart[];

/** Lexicographic order over key parts; a key that is a strict prefix of another sorts first. */
export function compareKeys(a: Key, b: Key): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === TOP || y === TOP) {
      if (x === y) continue;
      return x === TOP ? 1 : -1;
    }
    const order = compareValues(x, y);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** Keys travel inside cursors and read sets as JSON; `undefined` becomes {"$u":1} (field names cannot start with "$"). */
export type KeyJson = unknown[];
