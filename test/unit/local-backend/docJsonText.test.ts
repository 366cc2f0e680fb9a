/**
 * A stored document's JSON text is made once per version: the same object gives
 * the same text without converting again, and a new version (writes store new
 * objects) gets its own.
 */
import { convexToJson } from "convex/values";
import { describe, expect, test } from "vitest";
import type { Doc } from "../../../local-backend/engine/database";
import { docJsonText } from "../../../local-backend/engine/transaction";

describe("docJsonText", () => {
  test("is the document's Convex JSON, bigints and bytes included", () => {
    const doc: Doc = {
      _id: "a",
      _creationTime: 1,
      count: 3n,
      blob: new Uint8Array([1, 2]).buffer,
      tags: ["x"],
    };
    expect(JSON.parse(docJsonText(doc))).toEqual(convexToJson(doc));
    expect(docJsonText(null)).toBe("null");
  });

  test("the same version is converted once; a new version gets its own text", () => {
    const first: Doc = { _id: "a", _creationTime: 1, title: "old" };
    const text = docJsonText(first);
    // Were the text made again, it would show this (stored objects are never
    // changed in place; this is only how the test sees the reuse).
    (first as Record<string, unknown>).title = "changed in place";
    expect(docJsonText(first)).toBe(text);
    const next: Doc = { ...first, title: "new" };
    expect(JSON.parse(docJsonText(next))).toMatchObject({ title: "new" });
  });
});
