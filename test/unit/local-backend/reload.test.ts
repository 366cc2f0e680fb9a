/**
 * Watch mode's reload: new code serves at once, and a schema that existing
 * documents break is refused while the old code keeps serving.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, expect, test } from "vitest";
import { LocalEngine } from "../../../local-backend/engine/engine";
import { openStore } from "../../../local-backend/engine/store";

const ROOT = resolve(__dirname, "../../..");
const dirs: string[] = [];
const engines: LocalEngine[] = [];

afterEach(() => {
  for (const engine of engines.splice(0)) engine.close();
  for (const dir of dirs.splice(0))
    rmSync(dir, { recursive: true, force: true });
});

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

async function openApp(): Promise<{ engine: LocalEngine; convexDir: string }> {
  // Inside the repository, so the fixture resolves "convex/server" from its node_modules.
  const dir = mkdtempSync(join(ROOT, "test", ".tmp-reload-"));
  dirs.push(dir);
  const convexDir = join(dir, "convex");
  mkdirSync(convexDir);
  writeFileSync(join(convexDir, "schema.ts"), schemaSource("v.string()"));
  writeFileSync(join(convexDir, "notes.ts"), notesSource("hello"));
  const engine = await LocalEngine.open({
    convexDir,
    store: openStore(join(dir, "db.sqlite3")),
    env: {},
    adminKey: "test-admin",
  });
  engines.push(engine);
  return { engine, convexDir };
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
  writeFileSync(join(convexDir, "notes.ts"), notesSource("hello again"));
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
  writeFileSync(join(convexDir, "schema.ts"), schemaSource("v.number()"));
  writeFileSync(join(convexDir, "notes.ts"), notesSource("new code"));
  await expect(engine.reload()).rejects.toThrow(
    /does not match existing documents/,
  );
  expect(await engine.adminCall("query", "notes:greet", {})).toBe("hello");
  await engine.adminCall("mutation", "notes:add", { body: "still a string" });
});

test("a syntax error is refused with esbuild's message", async () => {
  const { engine, convexDir } = await openApp();
  writeFileSync(join(convexDir, "notes.ts"), "export const broken = (;\n");
  await expect(engine.reload()).rejects.toThrow(/notes\.ts/);
  expect(await engine.adminCall("query", "notes:greet", {})).toBe("hello");
});
