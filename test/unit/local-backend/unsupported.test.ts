/**
 * Convex features the local backend does not implement are refused with an
 * error that names the feature, never a crash or a silent wrong answer.
 */
import { expect, test } from "vitest";
import { openTempApp } from "./tempApp";

const schema = `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({
  docs: defineTable({ text: v.string(), embedding: v.array(v.float64()) })
    .searchIndex("search_text", { searchField: "text" })
    .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 2 }),
});
`;

const functions = `import { actionGeneric, mutationGeneric, queryGeneric } from "convex/server";
export const search = queryGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.query("docs").withSearchIndex("search_text", (q) => q.search("text", "hi")).collect(),
});
export const uploadUrl = mutationGeneric({ args: {}, handler: async (ctx) => await ctx.storage.generateUploadUrl() });
export const vector = actionGeneric({
  args: {},
  handler: async (ctx) => await ctx.vectorSearch("docs", "by_embedding", { vector: [0, 1] }),
});
export const storageGet = actionGeneric({ args: {}, handler: async (ctx) => await ctx.storage.getUrl("kg2bn0mbz4jgs2r3r5z2zgfy3h7jzygn") });
export const insertDoc = mutationGeneric({
  args: {},
  handler: async (ctx) => await ctx.db.insert("docs", { text: "hi", embedding: [0, 1] }),
});
`;

test.each([
  ["query", "features:search", /Search indexes are not supported/],
  ["mutation", "features:uploadUrl", /File storage is not supported/],
  ["action", "features:vector", /Vector search is not supported/],
  ["action", "features:storageGet", /File storage is not supported/],
] as const)(
  "%s %s is refused with a clear error",
  async (kind, udfPath, message) => {
    const { engine } = await openTempApp({
      "schema.ts": schema,
      "features.ts": functions,
    });
    await expect(engine.adminCall(kind, udfPath, {})).rejects.toThrow(message);
    // The backend keeps working: a table with those indexes still takes writes.
    await expect(
      engine.adminCall("mutation", "features:insertDoc", {}),
    ).resolves.toEqual(expect.any(String));
  },
);
