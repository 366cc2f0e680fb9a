// Regenerates convex/_generated without a deployment.
//
// `npx convex codegen` needs a live deployment (it pushes the functions to analyze
// them), and Convex's local backend binary cannot be downloaded here. For an app with
// no components and the default codegen settings, the generated files depend only on
// the list of modules in convex/, on whether a schema exists and on the env vars
// convex.config.ts declares, so we reproduce them byte for byte: same templates
// (./codegen-templates.ts), same module selection (node_modules/convex/src/bundler/
// index.ts `entryPoints`), same Prettier pass.
//
// Usage: tsx scripts/codegen.ts [--check] [convexDir]
//   --check  regenerate in memory and exit 1 if the committed files differ (CI).

import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "prettier";
import { listModules } from "../local-backend/engine/convexModules";

export { listModules };
import {
  type EnvVar,
  apiDts,
  apiJs,
  dataModelDts,
  serverDts,
  serverJs,
} from "./codegen-templates";

export const GENERATED_DIR = "_generated";

// The CLI never deletes these from _generated (codegen.ts PRESERVED_GENERATED_ENTRIES).
const PRESERVED_ENTRIES = new Set(["ai"]);

// The JSON form of the string-like validators convex.config.ts may declare env vars with.
type EnvValidator =
  | { type: "string" }
  | { type: "literal"; value: string }
  | { type: "union"; value: EnvValidator[] };

function envType(validator: EnvValidator): string {
  if (validator.type === "string") return "string";
  if (validator.type === "literal") return `"${validator.value}"`;
  return validator.value.map(envType).join(" | ");
}

// What defineApp() returns, as far as codegen cares: `export()` is the analysis the
// CLI sends to the deployment, whose env var list comes back for server.d.ts.
type AppAnalysis = {
  childComponents: unknown[];
  envVars?: [string, { value: string; optional?: boolean }][];
};

/** Env vars declared by convex/convex.config.ts; refuses apps that use components. */
async function declaredEnvVars(convexDir: string): Promise<EnvVar[]> {
  const configPath = join(convexDir, "convex.config.ts");
  if (!existsSync(configPath)) return [];
  let analysis: AppAnalysis;
  try {
    const mod = (await import(pathToFileURL(configPath).href)) as {
      default?: { export?: () => AppAnalysis };
    };
    if (typeof mod.default?.export !== "function") {
      throw new Error("its default export is not `defineApp(...)`");
    }
    analysis = mod.default.export();
  } catch (error) {
    // `app.use(component)` only evaluates inside the Convex CLI's bundler.
    throw new Error(
      `cannot evaluate ${configPath} (${error instanceof Error ? error.message : String(error)}). ` +
        "Apps that use components need `npx convex codegen` against a deployment.",
    );
  }
  if (analysis.childComponents.length > 0) {
    throw new Error(
      `${configPath} uses components: run \`npx convex codegen\` against a deployment instead.`,
    );
  }
  return (analysis.envVars ?? []).map(([name, { value, optional }]) => ({
    name,
    type: envType(JSON.parse(value) as EnvValidator),
    optional: optional === true,
  }));
}

/** Generated file name -> formatted content, in the order the CLI writes them. */
export async function generate(
  convexDir: string,
): Promise<Map<string, string>> {
  const hasSchema = ["schema.ts", "schema.js"].some((f) =>
    existsSync(join(convexDir, f)),
  );
  const modules = listModules(convexDir);
  const sources: [string, string][] = [
    ["dataModel.d.ts", dataModelDts(hasSchema)],
    ["server.js", serverJs()],
    ["server.d.ts", serverDts(await declaredEnvVars(convexDir))],
    ["api.js", apiJs()],
    ["api.d.ts", apiDts(modules)],
  ];
  const files = new Map<string, string>();
  for (const [name, source] of sources) {
    // Like the CLI: Prettier defaults (never the project's config), TS parser for all.
    files.set(name, await format(source, { parser: "typescript" }));
  }
  return files;
}

/** Entries in _generated that are missing, differ, or would be deleted. */
export async function staleFiles(convexDir: string): Promise<string[]> {
  const outDir = join(convexDir, GENERATED_DIR);
  const expected = await generate(convexDir);
  const stale: string[] = [];
  for (const [name, content] of expected) {
    const path = join(outDir, name);
    if (!existsSync(path)) {
      stale.push(`${name} (missing)`);
    } else if (readFileSync(path, "utf8") !== content) {
      stale.push(`${name} (differs)`);
    }
  }
  for (const name of existingEntries(outDir)) {
    if (!expected.has(name)) {
      stale.push(`${name} (not generated; codegen deletes it)`);
    }
  }
  return stale;
}

/** Writes the changed files and deletes stale entries; returns what changed. */
export async function writeGenerated(convexDir: string): Promise<string[]> {
  const outDir = join(convexDir, GENERATED_DIR);
  const files = await generate(convexDir);
  mkdirSync(outDir, { recursive: true });
  const changed: string[] = [];
  for (const [name, content] of files) {
    const path = join(outDir, name);
    if (existsSync(path) && readFileSync(path, "utf8") === content) continue;
    writeFileSync(path, content);
    changed.push(name);
  }
  for (const name of existingEntries(outDir)) {
    if (files.has(name)) continue;
    rmSync(join(outDir, name), { recursive: true, force: true });
    changed.push(`${name} (deleted)`);
  }
  return changed;
}

function existingEntries(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir).filter((name) => !PRESERVED_ENTRIES.has(name));
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  const dirArg = argv.find((a) => !a.startsWith("--"));
  const scriptDir = dirname(fileURLToPath(import.meta.url));
  const convexDir = resolve(dirArg ?? join(scriptDir, "..", "convex"));
  const shown = relative(process.cwd(), join(convexDir, GENERATED_DIR)) || ".";

  if (check) {
    const stale = await staleFiles(convexDir);
    if (stale.length === 0) {
      console.log(`codegen: ${shown} is up to date.`);
      return 0;
    }
    console.error(`codegen: ${shown} is stale:`);
    for (const entry of stale) console.error(`  - ${entry}`);
    console.error("Run `npm run codegen` and commit the result.");
    return 1;
  }
  const changed = await writeGenerated(convexDir);
  console.log(
    changed.length === 0
      ? `codegen: ${shown} already up to date.`
      : `codegen: updated ${shown}: ${changed.join(", ")}`,
  );
  return 0;
}

const invokedPath = process.argv[1];
if (
  invokedPath !== undefined &&
  resolve(invokedPath) === fileURLToPath(import.meta.url)
) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(
        `codegen: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exitCode = 1;
    },
  );
}
