/**
 * Which files in a convex/ folder are function modules: the rules of the
 * Convex CLI (node_modules/convex/src/bundler/index.ts `entryPoints`), shared
 * by codegen (scripts/codegen.ts) and the local backend, which bundles the
 * same list.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";

const GENERATED_DIR = "_generated";

// Extensions esbuild can bundle as an entry point (bundler/index.ts ENTRY_POINT_EXTENSIONS).
const ENTRY_POINT_EXTENSIONS = [
  ".js",
  ".mjs",
  ".cjs",
  ".ts",
  ".tsx",
  ".mts",
  ".cts",
  ".jsx",
];

/** Files under `dir`, recursively, as `/`-separated paths; skips nested component dirs. */
function walk(dir: string, root: string = dir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      // A folder with its own convex.config.ts is a component: deployed separately.
      if (!existsSync(join(full, "convex.config.ts"))) {
        files.push(...walk(full, root));
      }
    } else if (entry.isFile()) {
      files.push(relative(root, full).split(sep).join("/"));
    }
  }
  return files;
}

function isEntryPoint(convexDir: string, relPath: string): boolean {
  const base = basename(relPath);
  if (relPath.startsWith("_deps/")) {
    throw new Error(
      `${relPath}: the _deps directory is reserved by Convex; move this file.`,
    );
  }
  if (!ENTRY_POINT_EXTENSIONS.some((ext) => relPath.endsWith(ext))) {
    return false;
  }
  if (relPath.startsWith(`${GENERATED_DIR}/`)) return false;
  // Dotfiles and emacs temp files.
  if (base.startsWith(".") || base.startsWith("#")) return false;
  if (base === "schema.ts" || base === "schema.js") return false;
  // More than one dot: auth.config.ts, convex.config.ts, foo.test.ts, foo.d.ts.
  if ((base.match(/\./g) ?? []).length > 1) return false;
  if (relPath.includes(" ")) return false;
  // A .ts file with no import/export is not a module; the CLI skips it too.
  if (relPath.endsWith(".ts") || relPath.endsWith(".tsx")) {
    const source = readFileSync(join(convexDir, relPath), "utf8");
    return /^\s{0,100}(import|export)/m.test(source);
  }
  return true;
}

/** The modules the Convex CLI would push, e.g. `["dir/x.ts", "http.ts"]`. */
export function listModules(convexDir: string): string[] {
  // Plain code-unit order of `/`-separated paths (common.ts compareModulePaths).
  return walk(convexDir)
    .filter((p) => isEntryPoint(convexDir, p))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
