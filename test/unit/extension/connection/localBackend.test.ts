/**
 * LocalBackend against a stand-in `switchboard-backend` script (written per test
 * run): it publishes state.json and /health like the real one, or crashes, or
 * hangs, as FAKE_MODE says. The real backend is exercised by the integration test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  BackendStartError,
  bundledBackendCommand,
  LocalBackend,
} from "../../../../extension/connection/localBackend";
import {
  isProcessAlive,
  writeState,
} from "../../../../local-backend/discovery";
import { MemoryLog, waitFor } from "./fakes";

const FAKE = `
const { createServer } = require("node:http");
const { writeFileSync, rmSync, mkdirSync } = require("node:fs");
const { join } = require("node:path");
const args = process.argv.slice(2);
const dataDir = args[args.indexOf("--data-dir") + 1];
const mode = process.env.FAKE_MODE || "ok";
process.stderr.write("fake backend: " + args.join(" ") + "\\n");
if (mode === "crash") {
  process.stderr.write("switchboard-backend: could not load convex/\\n");
  process.exit(3);
}
if (mode === "hang") setInterval(() => undefined, 1000);
else {
  const server = createServer((req, res) => { res.writeHead(req.url === "/health" ? 200 : 404); res.end(); });
  server.listen(0, "127.0.0.1", () => {
    const url = "http://127.0.0.1:" + server.address().port;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "owner-token"), "sbu_fake\\n");
    writeFileSync(join(dataDir, "state.json"), JSON.stringify({ pid: process.pid, url, siteUrl: url, startedAt: Date.now() }));
    process.stderr.write("fake backend: serving at " + url + "\\n");
  });
  process.on("SIGTERM", () => { rmSync(join(dataDir, "state.json"), { force: true }); process.exit(0); });
}
`;

let root: string;
let script: string;
const backends: LocalBackend[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "sb-localbackend-"));
  script = join(root, "fake-backend.cjs");
  writeFileSync(script, FAKE);
});
afterEach(() => {
  for (const backend of backends.splice(0)) backend.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function backend(
  mode: string,
  startTimeoutMs = 10_000,
): { backend: LocalBackend; log: MemoryLog; dataDir: string } {
  const dataDir = mkdtempSync(join(root, "data-"));
  const log = new MemoryLog();
  const command = bundledBackendCommand(script);
  const created = new LocalBackend({
    dataDir,
    command: { ...command, env: { ...command.env, FAKE_MODE: mode } },
    log,
    startTimeoutMs,
  });
  backends.push(created);
  return { backend: created, log, dataDir };
}

describe("LocalBackend", () => {
  test("starts serve with free ports on its data dir, pipes output, stops it on dispose", async () => {
    const { backend: local, log, dataDir } = backend("ok");
    const [a, b] = await Promise.all([
      local.ensureRunning(),
      local.ensureRunning(),
    ]);
    expect(a).toEqual(b);
    expect(local.ownsProcess).toBe(true);
    expect(isProcessAlive(a.pid)).toBe(true);
    expect(log.text()).toContain(
      `[backend] fake backend: serve --data-dir ${dataDir} --port 0 --site-port 0`,
    );
    expect(local.ownerToken()).toBe("sbu_fake");
    // Running: found again, not started twice.
    expect(await local.ensureRunning()).toEqual(a);
    local.dispose();
    await waitFor(() => !isProcessAlive(a.pid), "the backend to stop");
    expect(() => readFileSync(join(dataDir, "state.json"))).toThrow();
  });

  test("reuses a backend someone else runs and never stops it", async () => {
    const first = backend("ok");
    const running = await first.backend.ensureRunning();
    const second = new LocalBackend({
      dataDir: first.dataDir,
      command: bundledBackendCommand(script),
      log: new MemoryLog(),
    });
    backends.push(second);
    expect(await second.ensureRunning()).toEqual(running);
    expect(second.ownsProcess).toBe(false);
    second.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isProcessAlive(running.pid)).toBe(true);
  });

  test("a leftover state.json of a dead process is not trusted", async () => {
    const { backend: local, dataDir } = backend("ok");
    writeState(dataDir, {
      pid: 2 ** 22 + 7,
      url: "http://127.0.0.1:9",
      siteUrl: "http://127.0.0.1:9",
      startedAt: 0,
    });
    const state = await local.ensureRunning();
    expect(state.url).not.toBe("http://127.0.0.1:9");
    expect(local.ownsProcess).toBe(true);
  });

  test("a crash while starting fails at once with the last output", async () => {
    const { backend: local } = backend("crash");
    const started = Date.now();
    const error = await local.ensureRunning().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendStartError);
    expect(String(error)).toContain("stopped while starting (exit code 3)");
    expect(String(error)).toContain("could not load convex/");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("a backend that never publishes times out, is stopped, and says so", async () => {
    const { backend: local, log } = backend("hang", 800);
    await expect(local.ensureRunning()).rejects.toThrow(
      /did not start within 1 s\. Last output:\nfake backend: serve/,
    );
    await waitFor(() => !local.ownsProcess, "the hung process to be stopped");
    expect(log.text()).toContain("ended: signal SIGTERM");
  });

  test("a program that cannot be run is reported", async () => {
    const local = new LocalBackend({
      dataDir: mkdtempSync(join(root, "data-")),
      command: { file: join(root, "no-such-node"), args: [] },
      log: new MemoryLog(),
    });
    backends.push(local);
    await expect(local.ensureRunning()).rejects.toThrow(
      /could not be started: spawn .*ENOENT/,
    );
  });

  test("the bundled command runs VS Code's runtime as Node", () => {
    const command = bundledBackendCommand("/ext/dist/local-backend.js");
    expect(command.file).toBe(process.execPath);
    expect(command.args).toEqual(["/ext/dist/local-backend.js"]);
    expect(command.env?.ELECTRON_RUN_AS_NODE).toBe("1");
  });
});
