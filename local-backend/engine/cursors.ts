/**
 * Pagination cursors: the index key of the last document a page covered,
 * as base64url JSON. `undefined` key parts (missing fields) are written as
 * {"$u":1}; user field names cannot start with "$", so this cannot collide.
 */
import {
  convexToJson,
  jsonToConvex,
  type JSONValue,
  type Value,
} from "convex/values";
import { fail } from "./errors";
import type { Key } from "./keys";

export const END_CURSOR: unique symbol = Symbol("end");
export type Cursor = Key | typeof END_CURSOR;

const UNDEFINED_PART = { $u: 1 };
const END_TEXT = "end";

export function encodeCursor(cursor: Cursor | null): string {
  if (cursor === END_CURSOR) return END_TEXT;
  const parts = (cursor ?? []).map((part): JSONValue => {
    if (part === undefined) return UNDEFINED_PART;
    if (typeof part === "symbol")
      return fail("Cursors cannot hold a bound marker.");
    return convexToJson(part);
  });
  return Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
}

export function decodeCursor(text: string): Cursor {
  if (text === END_TEXT) return END_CURSOR;
  try {
    const parts = JSON.parse(
      Buffer.from(text, "base64url").toString("utf8"),
    ) as unknown;
    if (!Array.isArray(parts)) throw new Error("not a list");
    return parts.map((part: JSONValue): Value | undefined =>
      typeof part === "object" &&
      part !== null &&
      !Array.isArray(part) &&
      "$u" in part
        ? undefined
        : jsonToConvex(part),
    );
  } catch {
    return fail(
      `Invalid pagination cursor "${text.slice(0, 40)}". Start again with cursor: null.`,
    );
  }
}
