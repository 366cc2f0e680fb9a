/**
 * Watch mode's reload: new code serves at once, and a schema that existing
 * documents break is refused while the old code keeps serving.
 */
import { expect, test } from "vitest";
import { openTempApp, writeSource, type TempApp } from "./tempApp";

function schemaSource(bodyType: string): string {
  return `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ notes: defineTable({ body: ${bodyType} }) });
`;
}

function notesSource(greeting: string): string {
  return `import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
export const greet = queryGeneric({ args: {}, handler: async () => ${JSON.stringify(greeting)} });
export const add = mutationGeneric({ args: { body: v.string() }, handler: async (ctx, { body }) => await ctx.db.insert("notes", { body }) });
`;
}

async function openApp(): Promise<TempApp> {
  return await openTempApp({
    "schema.ts": schemaSource("v.string()"),
    "notes.ts": notesSource("hello"),
  });
}

test("a reload serves the new code and re-runs every subscription", async () => {
  const { engine, convexDir } = await openApp();
  const identity = { kind: "anonymous" } as const;
  const { outcomes } = await engine.runQueries([
    { udfPath: "notes:greet", args: {}, identity },
  ]);
  const greet = outcomes[0]!;
  expect(greet).toMatchObject({ ok: true, value: "hello" });
  const invalidated: boolean[] = [];
  engine.onCommit((commit) =>
    invalidated.push(engine.isInvalidatedBy(greet.readSet, commit.writes)),
  );
  writeSource(convexDir, "notes.ts", notesSource("hello again"));
  await engine.reload();
  expect(await engine.adminCall("query", "notes:greet", {})).toBe(
    "hello again",
  );
  // The query read no documents, yet new code re-runs it.
  expect(invalidated).toEqual([true]);
});

test("a schema the existing documents break is refused and the old code keeps serving", async () => {
  const { engine, convexDir } = await openApp();
  await engine.adminCall("mutation", "notes:add", { body: "a note" });
  writeSource(convexDir, "schema.ts", schemaSource("v.number()"));
  writeSource(convexDir, "notes.ts", notesSource("new code"));
  await expect(engine.reload()).rejects.toThrow(
    /does not match existing documents/,
  );
  expect(await engine.adminCall("query", "notes:greet", {})).toBe("hello");
  await engine.adminCall("mutation", "notes:add", { body: "still a string" });
});

test("a syntax error is refused with esbuild's message", async () => {
  const { engine, convexDir } = await openApp();
  writeSource(convexDir, "notes.ts", "export const broken = (;\n");
  await expect(engine.reload()).rejects.toThrow(/notes\.ts/);
  expect(await engine.adminCall("query", "notes:greet", {})).toBe("hello");
});
