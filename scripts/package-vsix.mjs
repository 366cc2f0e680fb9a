// Packages the current build (dist/) into a .vsix with @vscode/vsce.
//
// Usage: node scripts/package-vsix.mjs [--out FILE]
//   default FILE: <name>-<version>.vsix at the repository root (git-ignored)
//
// `npm run package` builds for production first; the e2e tests call this script on the
// build `npm run test:e2e` just made. What goes in is decided by .vscodeignore.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

function parseOut(argv) {
  const i = argv.indexOf("--out");
  if (i === -1) return join(root, `${manifest.name}-${manifest.version}.vsix`);
  const value = argv[i + 1];
  if (!value) throw new Error("package-vsix: --out needs a file path");
  return resolve(value);
}

const out = parseOut(process.argv.slice(2));
const main = join(root, manifest.main ?? "dist/extension.js");
if (!existsSync(main)) {
  console.error(
    `package-vsix: ${relative(root, main)} is missing; run \`npm run build\` first.`,
  );
  process.exit(1);
}

const vsce = join(root, "node_modules", ".bin", "vsce");
const args = [
  "package",
  "--out",
  out,
  // Everything that runs is bundled into dist/ by esbuild, so vsce must not walk
  // node_modules (`npm list` over ~hundreds of dev packages, all excluded anyway).
  "--no-dependencies",
  // package.json declares MIT but the repository has no LICENSE file yet; without this
  // flag vsce stops to ask "Do you want to continue? [y/N]" (a hang in CI).
  "--skip-license",
  // Same prompt for the missing "repository" field (the project is private for now).
  "--allow-missing-repository",
];

const child = spawn(vsce, args, {
  cwd: root,
  // No stdin: should vsce ever prompt, it reads EOF and fails instead of hanging.
  stdio: ["ignore", "inherit", "inherit"],
});
child.on("error", (error) => {
  console.error(
    `package-vsix: cannot run ${relative(root, vsce)}: ${error.message}`,
  );
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (code !== 0) {
    console.error(`package-vsix: vsce failed (${signal ?? `exit ${code}`})`);
    process.exit(code ?? 1);
  }
  const kb = (statSync(out).size / 1024).toFixed(1);
  console.log(`package-vsix: ${relative(process.cwd(), out) || out} ${kb} KB`);
});
