// `npm start` after setup: the product as a new user first sees it.
//
//   1. packages the extension just built into a .vsix;
//   2. starts the embedded local backend where the extension looks for it (its
//      global storage in a private VS Code profile, .cache/try/), seeded once with
//      demo data;
//   3. opens VS Code on this folder with the extension installed: a local `code`
//      if there is one, otherwise code-server (installed on first use by
//      scripts/install-e2e-vscode.sh), printing the URL to open.
// Ctrl+C stops the backend (and code-server). Nothing outside .cache/try/ is touched.
//
// Usage: node scripts/start.mjs [--no-open] [--port PORT]
//   --no-open   only the backend (with demo data); no VS Code
//   --port      code-server's port (default 8080)
// SWITCHBOARD_EDITOR=code-server forces code-server even where `code` exists.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    "no-open": { type: "boolean", default: false },
    port: { type: "string", default: "8080" },
  },
});
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const extensionId = `${manifest.publisher}.${manifest.name}`.toLowerCase();

const profile = join(root, ".cache", "try");
const userData = join(profile, "user-data");
const extensions = join(profile, "extensions");
// Where VS Code puts the extension's globalStorageUri: the extension finds this
// backend there instead of starting its own (extension/connection/).
const dataDir = join(userData, "User", "globalStorage", extensionId, "backend");
const seededMarker = join(profile, "demo-seeded");

const children = [];
function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill();
}
process.on("SIGINT", () => {
  stopAll();
  process.exit(0);
});
process.on("SIGTERM", () => {
  stopAll();
  process.exit(0);
});

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status})`);
  }
}

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

async function startBackend() {
  mkdirSync(dataDir, { recursive: true });
  const backend = spawn(
    process.execPath,
    [join(root, "dist", "local-backend.js"), "serve", "--data-dir", dataDir],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  children.push(backend);
  backend.once("exit", (code) => {
    console.error(`start: the local backend exited (${code}); stopping.`);
    stopAll();
    process.exit(code ?? 1);
  });
  const stateFile = join(dataDir, "state.json");
  for (let i = 0; i < 300 && !existsSync(stateFile); i++) await delay(100);
  if (!existsSync(stateFile)) throw new Error(`no ${stateFile} after 30 s`);
  if (!existsSync(seededMarker)) {
    console.log("start: adding demo data (once)");
    run(process.execPath, [
      join(root, "dist", "local-backend.js"),
      "seed",
      "--data-dir",
      dataDir,
    ]);
    writeFileSync(seededMarker, new Date().toISOString());
  }
  return JSON.parse(readFileSync(stateFile, "utf8"));
}

function packageExtension() {
  const vsix = join(profile, "switchboard.vsix");
  run(process.execPath, [
    join(root, "scripts", "package-vsix.mjs"),
    "--out",
    vsix,
  ]);
  return vsix;
}

/** No trust prompt or welcome page in front of the Switchboard views. */
function writeSettings() {
  const file = join(userData, "User", "settings.json");
  if (existsSync(file)) return;
  mkdirSync(join(userData, "User"), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ "security.workspace.trust.enabled": false, "workbench.startupEditor": "none" }, null, 2)}\n`,
  );
}

function codeServerBin() {
  const bin = join(
    root,
    ".cache",
    "code-server",
    "node_modules",
    ".bin",
    "code-server",
  );
  if (!existsSync(join(root, ".cache", "code-server", ".installed-version"))) {
    console.log(
      "start: no `code` here; installing code-server (about 4 minutes, once)",
    );
    run("bash", [join(root, "scripts", "install-e2e-vscode.sh")]);
  }
  return bin;
}

async function main() {
  mkdirSync(profile, { recursive: true });
  const state = await startBackend();
  console.log(`start: local backend at ${state.url} (data in ${dataDir})`);
  if (values["no-open"]) return;

  const vsix = packageExtension();
  writeSettings();
  const profileArgs = [
    "--user-data-dir",
    userData,
    "--extensions-dir",
    extensions,
  ];
  const useCode =
    process.env.SWITCHBOARD_EDITOR !== "code-server" && onPath("code");
  const editor = useCode ? "code" : codeServerBin();
  run(editor, [...profileArgs, "--install-extension", vsix, "--force"]);

  if (useCode) {
    run("code", [...profileArgs, "--new-window", root]);
    console.log(
      "start: opened VS Code with Switchboard (activity bar). Ctrl+C stops the backend.",
    );
    return;
  }
  const port = values.port;
  const server = spawn(
    editor,
    [
      ...profileArgs,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      root,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  children.push(server);
  console.log(
    `\nstart: Switchboard in VS Code: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(root)}\n` +
      "       (the Switchboard icon in the activity bar; Ctrl+C stops everything)\n",
  );
}

main().catch((error) => {
  console.error(
    `start: ${error instanceof Error ? error.message : String(error)}`,
  );
  stopAll();
  process.exit(1);
});
