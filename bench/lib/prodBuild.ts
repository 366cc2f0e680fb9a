/**
 * The production build (`node scripts/build.mjs --production`) and its .vsix
 * (`node scripts/package-vsix.mjs`), made in a private directory rather than in the
 * repository: build.mjs starts by deleting dist/, which would pull the bundles from
 * under anything else using them (a watch build, an e2e run, another benchmark),
 * and a concurrent build could change ours mid-run. The directory holds copies of
 * the two scripts (they find the root from their own location), of what the .vsix
 * packs (package.json, .vscodeignore, media/, README), and symlinks to the sources
 * and node_modules, so the bundles are exactly what the repository's build makes.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { atExit, makeTempDir, ROOT } from "./processes";

const run = promisify(execFile);

const LINKED = [
  "extension",
  "webview",
  "convex",
  "local-backend",
  "mcp-server",
  "node_modules",
  "tsconfig.json",
];
const COPIED = [
  "package.json",
  ".vscodeignore",
  "media",
  "README.md",
  "CHANGELOG.md",
  "LICENSE",
  "LICENSE.md",
  "LICENSE.txt",
  "scripts/build.mjs",
  "scripts/package-vsix.mjs",
];

export type BundleSize = { file: string; bytes: number };

export type ProductionBuild = {
  /** The build's dist/ directory. */
  dist: string;
  buildMs: number;
  /** Every .js under dist/ and dist/webview/ (no maps, no functions bundle). */
  sizes(): BundleSize[];
  /** Packages this build into `out`; resolves with vsce's time. */
  packageVsix(out: string): Promise<number>;
  remove(): void;
};

/** Runs `node ARGS` in `root`; killed if the benchmark exits first (Ctrl+C). */
async function node(root: string, args: string[]): Promise<void> {
  const running = run(process.execPath, args, {
    cwd: root,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const unregister = atExit(() => running.child.kill("SIGKILL"));
  try {
    await running;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as {
      stdout?: string;
      stderr?: string;
    };
    throw new Error(
      `node ${args.join(" ")} failed:\n${`${stdout}${stderr}`.trim().slice(-4000)}`,
      { cause: error },
    );
  } finally {
    unregister();
  }
}

export async function buildProduction(): Promise<ProductionBuild> {
  const temp = makeTempDir("sb-bench-build-");
  const root = join(temp.path, "repo");
  try {
    mkdirSync(join(root, "scripts"), { recursive: true });
    for (const name of LINKED) symlinkSync(join(ROOT, name), join(root, name));
    for (const name of COPIED) {
      const from = join(ROOT, name);
      if (existsSync(from)) cpSync(from, join(root, name), { recursive: true });
    }
    const started = performance.now();
    await node(root, ["scripts/build.mjs", "--production"]);
    const buildMs = performance.now() - started;
    const dist = join(root, "dist");
    return {
      dist,
      buildMs,
      sizes: () => jsFiles(dist),
      packageVsix: async (out) => {
        const begun = performance.now();
        await node(root, ["scripts/package-vsix.mjs", "--out", out]);
        return performance.now() - begun;
      },
      remove: () => temp.remove(),
    };
  } catch (error) {
    temp.remove();
    throw error;
  }
}

function jsFiles(dist: string): BundleSize[] {
  const sizes: BundleSize[] = [];
  for (const dir of ["", "webview"]) {
    const full = join(dist, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full).sort()) {
      if (!name.endsWith(".js")) continue;
      const file = dir === "" ? name : `${dir}/${name}`;
      sizes.push({
        file: `dist/${file}`,
        bytes: statSync(join(full, name)).size,
      });
    }
  }
  return sizes;
}
