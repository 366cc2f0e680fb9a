// Bundles every runtime into dist/ with esbuild: one entry per runtime.
//
// Usage: node scripts/build.mjs [--watch] [--production]
//   --watch       rebuild on change (development)
//   --production  minify everything and emit no sourcemaps (packaging)

import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

/** Node programs started from a shell (package.json "bin"): shebang and executable bit. */
const nodeBin = {
  banner: { js: "#!/usr/bin/env node" },
  executable: true,
};

/** The webview apps, one folder each under webview/ (see webview/protocol/host.ts VIEW_KINDS). */
const WEBVIEWS = ["board", "task", "thread", "approvals", "run", "budgets"];

/** @type {(esbuild.BuildOptions & { executable?: boolean })[]} */
const targets = [
  {
    // Loaded by VS Code's extension host (Node 20 in VS Code >= 1.90); `vscode` is
    // provided by the host at runtime.
    entryPoints: ["extension/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
  },
  {
    // The Convex client and `ws`, loaded by extension/connection/client.ts's
    // lazyClientFactory on the first connection, so that activation does not read them.
    entryPoints: ["extension/connection/convexClient.ts"],
    outfile: "dist/convexClient.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
  },
  {
    // The sandbox part of the extension host, loaded by extension/sandboxes/lazy.ts
    // on first need so that simple-git and the Docker code are not part of activation.
    entryPoints: ["extension/sandboxes/index.ts"],
    outfile: "dist/sandboxes.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    // jsonc-parser's "main" is a UMD build whose internal requires esbuild
    // cannot follow (the bundle then fails at load with "Cannot find module
    // './impl/format'"); its ESM build bundles cleanly.
    alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
  },
  // One bundle per webview (webview/<view>/main.tsx -> dist/webview/<view>.js and
  // .css). Each runs inside a webview (Chromium), so each is always minified: it is
  // shipped to a browser and its size is a budget (600 KB). Plain IIFE scripts, not
  // ES modules with a shared chunk: the CSP admits only the one nonce'd script tag.
  ...WEBVIEWS.map((view) => ({
    entryPoints: [`webview/${view}/main.tsx`],
    outfile: `dist/webview/${view}.js`,
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    jsx: "automatic",
    // There is no `process` in a browser; React reads this. Always its production
    // build: the development one is several times slower to render a big board.
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  })),
  {
    entryPoints: ["mcp-server/main.ts"],
    outfile: "dist/mcp-server.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    // Claude Code spawns one per session: minified, it parses in about two
    // thirds of the time (cold start to `initialize` answered). Sourcemap kept.
    minify: true,
    ...nodeBin,
  },
  {
    entryPoints: ["local-backend/main.ts"],
    outfile: "dist/local-backend.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    // esbuild bundles convex/ sources at start (a native binary per platform),
    // so it stays a package, loaded only then: the packaged extension runs the
    // prebuilt dist/functions/ instead (see bundleFunctionsInto below).
    // node-sqlite3-wasm is bundled; it loads its .wasm from __dirname, so the
    // .wasm is copied next to the bundle.
    external: ["esbuild"],
    ...nodeBin,
  },
];

/** Reports each (re)build; makes bin outputs executable once they exist. */
function reporter(outfile, executable) {
  return {
    name: "switchboard-report",
    setup(build) {
      build.onEnd((result) => {
        if (result.errors.length > 0) {
          console.error(
            `build: ${outfile} failed (${result.errors.length} errors)`,
          );
          return;
        }
        const path = join(root, outfile);
        if (executable) chmodSync(path, 0o755);
        const kb = (statSync(path).size / 1024).toFixed(1);
        console.log(`build: ${outfile} ${kb} KB`);
      });
    },
  };
}

function optionsFor({ executable, ...target }) {
  return {
    bundle: true,
    absWorkingDir: root,
    logLevel: "warning",
    sourcemap: !production,
    sourcesContent: false,
    ...target,
    minify: production || target.minify === true,
    plugins: [reporter(target.outfile, executable === true)],
  };
}

/** node-sqlite3-wasm's module, next to dist/local-backend.js which bundles its loader. */
function copySqliteWasm() {
  const wasm = "node-sqlite3-wasm.wasm";
  mkdirSync(join(root, "dist"), { recursive: true });
  copyFileSync(
    join(root, "node_modules", "node-sqlite3-wasm", "dist", wasm),
    join(root, "dist", wasm),
  );
}

/**
 * The dev container CLI, which sandboxes run as a child process. It is already
 * one bundled file tree with no dependencies; the packaged extension ships
 * no node_modules, so it is copied as is into dist/devcontainers-cli/.
 */
function copyDevcontainersCli() {
  const from = join(root, "node_modules", "@devcontainers", "cli");
  const to = join(root, "dist", "devcontainers-cli");
  for (const entry of ["devcontainer.js", "package.json", "dist", "scripts"]) {
    cpSync(join(from, entry), join(to, entry), { recursive: true });
  }
}

/**
 * Switchboard's own convex/ functions, bundled once at build time for the
 * packaged extension (which ships neither the sources nor esbuild). The
 * backend just built does the bundling, so there is one way to bundle them.
 */
function bundleFunctionsInto(outDir) {
  const result = spawnSync(
    process.execPath,
    ["dist/local-backend.js", "bundle-functions", "--out", outDir],
    { cwd: root, stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" },
  );
  if (result.status !== 0) {
    console.error(result.stderr);
    process.exitCode = 1;
    return;
  }
  const kb = (
    statSync(join(root, outDir, "functions.bundle.json")).size / 1024
  ).toFixed(1);
  console.log(`build: ${outDir}/functions.bundle.json ${kb} KB`);
}

async function main() {
  const mode = production ? "production" : "development";
  console.log(
    `build: ${mode}${watch ? ", watching" : ""} -> ${relative(process.cwd(), join(root, "dist")) || "."}`,
  );
  if (!watch) {
    // A one-shot build starts clean, so no stale file (e.g. an old .map) is packaged.
    rmSync(join(root, "dist"), { recursive: true, force: true });
    const results = await Promise.allSettled(
      targets.map((t) => esbuild.build(optionsFor(t))),
    );
    // esbuild already printed the errors; just make the exit code say so.
    if (results.some((r) => r.status === "rejected")) {
      process.exitCode = 1;
      return;
    }
    copySqliteWasm();
    copyDevcontainersCli();
    bundleFunctionsInto("dist/functions");
    return;
  }
  const contexts = await Promise.all(
    targets.map((t) => esbuild.context(optionsFor(t))),
  );
  await Promise.all(contexts.map((ctx) => ctx.watch()));
  process.on("SIGINT", () => {
    void Promise.all(contexts.map((ctx) => ctx.dispose())).then(() =>
      process.exit(0),
    );
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
