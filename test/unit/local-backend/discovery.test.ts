import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  acquireDataDir,
  DataDirInUseError,
  defaultDataDir,
  findRunningBackend,
  readState,
  removeState,
  writeState,
  type BackendState,
  type DataDirLock,
} from "../../../local-backend/discovery";

let dataDir: string;
const locks: DataDirLock[] = [];
const servers: Server[] = [];

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(
    process.execPath,
    ["-e", "process.stdout.write(String(process.pid))"],
    {
      encoding: "utf8",
    },
  );
  return Number(child.stdout);
}

function state(overrides: Partial<BackendState> = {}): BackendState {
  return {
    pid: process.pid,
    url: "http://127.0.0.1:3210",
    siteUrl: "http://127.0.0.1:3211",
    adminKey: "secret-admin-key",
    startedAt: 1_700_000_000_000,
    ...overrides,
  };
}

async function healthServer(status: number, delayMs = 0): Promise<string> {
  const server = createServer((req, res) => {
    setTimeout(() => {
      res.writeHead(req.url === "/health" ? status : 404).end("ok");
    }, delayMs);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), "discovery-test-")), "local");
});

afterEach(async () => {
  for (const lock of locks.splice(0)) lock.release();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(join(dataDir, ".."), { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe("defaultDataDir", () => {
  test("SWITCHBOARD_DATA_DIR wins; otherwise ~/.switchboard/local", () => {
    vi.stubEnv("SWITCHBOARD_DATA_DIR", "/somewhere/else");
    expect(defaultDataDir()).toBe("/somewhere/else");
    vi.stubEnv("SWITCHBOARD_DATA_DIR", "");
    expect(defaultDataDir()).toBe(join(homedir(), ".switchboard", "local"));
  });
});

describe("acquireDataDir", () => {
  test("creates the directory and a lock naming this pid; release removes it", () => {
    const lock = acquireDataDir(dataDir);
    const lockFile = join(dataDir, "backend.lock");
    expect(
      (JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number }).pid,
    ).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    lock.release(); // Idempotent.
    // No temp files left behind.
    expect(readdirSync(dataDir)).toEqual([]);
    locks.push(acquireDataDir(dataDir)); // Free again.
  });

  test("a live holder is refused with its pid and URLs", () => {
    locks.push(acquireDataDir(dataDir));
    writeState(dataDir, state());
    let error: unknown;
    try {
      acquireDataDir(dataDir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataDirInUseError);
    const inUse = error as DataDirInUseError;
    expect(inUse.pid).toBe(process.pid);
    expect(inUse.message).toContain(`pid ${process.pid}`);
    expect(inUse.message).toContain("http://127.0.0.1:3210");
    expect(inUse.message).toContain("http://127.0.0.1:3211");
  });

  test("a live holder in another process is refused", async () => {
    const other = spawn(
      process.execPath,
      ["-e", "setTimeout(() => {}, 60000)"],
      { stdio: "ignore" },
    );
    try {
      const pid = other.pid ?? 0;
      acquireDataDir(dataDir).release();
      writeFileSync(
        join(dataDir, "backend.lock"),
        JSON.stringify({ pid, token: "t" }),
      );
      expect(() => acquireDataDir(dataDir)).toThrow(
        new RegExp(`pid ${pid}\\b`),
      );
    } finally {
      other.kill("SIGKILL");
      await new Promise((resolve) => other.once("exit", resolve));
    }
  });

  test("a stale lock (dead pid) is taken over", () => {
    acquireDataDir(dataDir).release();
    const dead = deadPid();
    writeFileSync(
      join(dataDir, "backend.lock"),
      JSON.stringify({ pid: dead, token: "t" }),
    );
    const lock = acquireDataDir(dataDir);
    locks.push(lock);
    const holder = JSON.parse(
      readFileSync(join(dataDir, "backend.lock"), "utf8"),
    ) as { pid: number };
    expect(holder.pid).toBe(process.pid);
  });

  test("release never removes a successor's lock", () => {
    const first = acquireDataDir(dataDir);
    // Someone decided the first holder was dead and took over.
    writeFileSync(
      join(dataDir, "backend.lock"),
      JSON.stringify({ pid: deadPid(), token: "other" }),
    );
    first.release();
    expect(existsSync(join(dataDir, "backend.lock"))).toBe(true);
  });

  test("an unreadable lock file is taken over once it is old", () => {
    acquireDataDir(dataDir).release();
    const lockFile = join(dataDir, "backend.lock");
    writeFileSync(lockFile, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockFile, old, old);
    locks.push(acquireDataDir(dataDir));
  });
});

describe("state.json", () => {
  test("round trip, mode 0600, no temp files, replaced atomically", () => {
    expect(readState(dataDir)).toBeNull();
    writeState(dataDir, state());
    const file = join(dataDir, "state.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readState(dataDir)).toEqual(state());
    const inodeBefore = statSync(file).ino;
    writeState(
      dataDir,
      state({ url: "http://127.0.0.1:4000", adminKey: undefined }),
    );
    // A new file renamed over the old one (readers see the old or the new, never a mix).
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readState(dataDir)).toEqual(
      state({ url: "http://127.0.0.1:4000", adminKey: undefined }),
    );
    expect(readState(dataDir)).not.toHaveProperty("adminKey");
    expect(readdirSync(dataDir)).toEqual(["state.json"]);
    removeState(dataDir);
    expect(readState(dataDir)).toBeNull();
    removeState(dataDir); // Idempotent.
  });

  test("malformed state reads as null", () => {
    writeState(dataDir, state());
    writeFileSync(join(dataDir, "state.json"), "{ half");
    expect(readState(dataDir)).toBeNull();
    writeFileSync(
      join(dataDir, "state.json"),
      JSON.stringify({ pid: "1", url: 3 }),
    );
    expect(readState(dataDir)).toBeNull();
  });
});

describe("findRunningBackend", () => {
  test("no state: null", async () => {
    expect(await findRunningBackend(dataDir)).toBeNull();
  });

  test("live pid and healthy /health: the state", async () => {
    const url = await healthServer(200);
    writeState(dataDir, state({ url }));
    expect(await findRunningBackend(dataDir)).toEqual(state({ url }));
    // A trailing slash in the URL is fine too.
    writeState(dataDir, state({ url: `${url}/` }));
    expect(await findRunningBackend(dataDir)).not.toBeNull();
  });

  test("dead pid: null even if something answers on the URL", async () => {
    const url = await healthServer(200);
    writeState(dataDir, state({ url, pid: deadPid() }));
    expect(await findRunningBackend(dataDir)).toBeNull();
  });

  test("unhealthy, unreachable or slow: null", async () => {
    writeState(dataDir, state({ url: await healthServer(503) }));
    expect(await findRunningBackend(dataDir)).toBeNull();

    const closed = await healthServer(200);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    writeState(dataDir, state({ url: closed }));
    expect(await findRunningBackend(dataDir)).toBeNull();

    writeState(dataDir, state({ url: await healthServer(200, 2_000) }));
    const started = Date.now();
    expect(await findRunningBackend(dataDir, { timeoutMs: 200 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
