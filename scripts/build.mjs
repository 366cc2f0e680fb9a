// Bundles every runtime into dist/ with esbuild: one entry per runtime.
//
// Usage: node scripts/build.mjs [--watch] [--production]
//   --watch       rebuild on change (development)
//   --production  minify everything and emit no sourcemaps (packaging)

import { chmodSync, rmSync, statSync } from "node:fs";
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
    // Runs inside a webview (Chromium); always minified, it is shipped to a browser.
    entryPoints: ["webview/board/main.ts"],
    outfile: "dist/webview/board.js",
    platform: "browser",
    format: "iife",
    target: "es2022",
    minify: true,
    // There is no `process` in a browser; libraries such as React read this.
    define: {
      "process.env.NODE_ENV": JSON.stringify(
        production ? "production" : "development",
      ),
    },
  },
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
    // esbuild bundles convex/ at start (native binary per platform) and
    // node-sqlite3-wasm loads its .wasm next to its own file: both stay packages.
    external: ["esbuild", "node-sqlite3-wasm"],
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
    if (results.some((r) => r.status === "rejected")) process.exitCode = 1;
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
