import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  generate,
  listModules,
  staleFiles,
  writeGenerated,
} from "../../scripts/codegen";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const fixture = join(repoRoot, "test/fixtures/convex-mini");

// More files the Convex CLI never treats as modules (the fixture has a.test.ts),
// added to the temporary copy only.
const NOT_MODULES: Record<string, string> = {
  "auth.config.ts": "export default { providers: [] };\n",
  "types.d.ts": "export type T = number;\n",
  ".hidden.ts": "export const hidden = 1;\n",
  "no-imports.ts": "const local = 1;\n",
  "data.json": "{}\n",
};

let dir: string;

beforeEach(() => {
  const project = mkdtempSync(join(tmpdir(), "codegen-test-"));
  // convex.config.ts is imported by codegen, so `convex/server` must resolve.
  symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
  dir = join(project, "convex");
  cpSync(fixture, dir, { recursive: true });
  for (const [name, content] of Object.entries(NOT_MODULES)) {
    writeFileSync(join(dir, name), content);
  }
});

afterEach(() => {
  rmSync(resolve(dir, ".."), { recursive: true, force: true });
});

describe("module selection", () => {
  test("keeps only what the Convex CLI would push, in its order", () => {
    expect(listModules(dir)).toEqual(["dir/x.ts", "http.ts", "notes.ts"]);
  });
});

describe("generate", () => {
  test("produces the five files of a js/dts app without components", async () => {
    const files = await generate(dir);
    expect([...files.keys()].sort()).toEqual([
      "api.d.ts",
      "api.js",
      "dataModel.d.ts",
      "server.d.ts",
      "server.js",
    ]);
  });

  test("api.d.ts imports and lists every module", async () => {
    const api = (await generate(dir)).get("api.d.ts") ?? "";
    expect(api).toContain('import type * as dir_x from "../dir/x.js";');
    expect(api).toContain('import type * as http from "../http.js";');
    expect(api).toContain('import type * as notes from "../notes.js";');
    expect(api).toContain('"dir/x": typeof dir_x;');
    expect(api).toContain("http: typeof http;");
    expect(api).toContain("notes: typeof notes;");
    expect(api).toContain("export declare const components: {};");
    expect(api).not.toMatch(/a\.test|auth|hidden|no-imports|schema/);
  });

  test("dataModel.d.ts derives the data model from schema.ts", async () => {
    const dataModel = (await generate(dir)).get("dataModel.d.ts") ?? "";
    expect(dataModel).toContain('import schema from "../schema.js";');
    expect(dataModel).toContain(
      "export type DataModel = DataModelFromSchemaDefinition<typeof schema>;",
    );
  });

  test("falls back to the permissive data model without a schema", async () => {
    rmSync(join(dir, "schema.ts"));
    const dataModel = (await generate(dir)).get("dataModel.d.ts") ?? "";
    expect(dataModel).toContain("export type DataModel = AnyDataModel;");
  });

  test("server files export every builder", async () => {
    const files = await generate(dir);
    expect(files.get("server.js")).toContain(
      "export const query = queryGeneric;",
    );
    expect(files.get("server.d.ts")).toContain(
      'export declare const internalMutation: MutationBuilder<DataModel, "internal">;',
    );
  });
});

describe("convex.config.ts", () => {
  test("types the env vars it declares", async () => {
    writeFileSync(
      join(dir, "convex.config.ts"),
      [
        'import { defineApp } from "convex/server";',
        'import { v } from "convex/values";',
        "export default defineApp({",
        '  env: { KEY: v.string(), MODE: v.union(v.literal("a"), v.literal("b")), OPT: v.optional(v.string()) },',
        "});",
      ].join("\n"),
    );
    expect(listModules(dir)).toEqual(["dir/x.ts", "http.ts", "notes.ts"]);
    const server = (await generate(dir)).get("server.d.ts") ?? "";
    expect(server).toContain("readonly CONVEX_SITE_URL: string;");
    expect(server).toContain("readonly KEY: string;");
    expect(server).toContain('readonly MODE: "a" | "b";');
    expect(server).toContain("readonly OPT: string | undefined;");
  });

  test("refuses an app that uses components", async () => {
    mkdirSync(join(dir, "child"));
    writeFileSync(
      join(dir, "child/convex.config.ts"),
      'import { defineComponent } from "convex/server";\nexport default defineComponent("child");\n',
    );
    writeFileSync(join(dir, "child/inner.ts"), "export const inner = 1;\n");
    writeFileSync(
      join(dir, "convex.config.ts"),
      [
        'import { defineApp } from "convex/server";',
        'import child from "./child/convex.config";',
        "const app = defineApp();",
        "app.use(child);",
        "export default app;",
      ].join("\n"),
    );
    // A folder with its own convex.config.ts is a component, never a module of ours.
    expect(listModules(dir)).not.toContain("child/inner.ts");
    await expect(generate(dir)).rejects.toThrow(/need `npx convex codegen`/);
  });
});

describe("check", () => {
  test("is clean right after writing, and is idempotent", async () => {
    expect(await writeGenerated(dir)).toHaveLength(5);
    expect(await staleFiles(dir)).toEqual([]);
    expect(await writeGenerated(dir)).toEqual([]);
  });

  test("reports edited, missing and extra files", async () => {
    await writeGenerated(dir);
    const api = join(dir, "_generated/api.d.ts");
    writeFileSync(api, readFileSync(api, "utf8") + "// edited\n");
    rmSync(join(dir, "_generated/server.js"));
    writeFileSync(join(dir, "_generated/old.d.ts"), "");
    expect(await staleFiles(dir)).toEqual([
      "server.js (missing)",
      "api.d.ts (differs)",
      "old.d.ts (not generated; codegen deletes it)",
    ]);
  });

  test("reports a new module as a stale api.d.ts", async () => {
    await writeGenerated(dir);
    writeFileSync(join(dir, "more.ts"), "export const more = 1;\n");
    expect(await staleFiles(dir)).toEqual(["api.d.ts (differs)"]);
  });

  test("the CLI exits 1 and names the stale file", async () => {
    await writeGenerated(dir);
    writeFileSync(join(dir, "_generated/api.js"), "");
    const tsx = join(repoRoot, "node_modules/.bin/tsx");
    const run = spawnSync(tsx, ["scripts/codegen.ts", "--check", dir], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("api.js (differs)");
    expect(run.stderr).toContain("npm run codegen");
  });
});
