/**
 * One local backend per data directory, and how others find it.
 *
 * A data directory holds the SQLite database and two files managed here:
 * - `backend.lock`: `{ pid, token }` of the backend that owns the directory. Created
 *   atomically (written to a temp file, then hard-linked into place, which fails if it
 *   exists), so nobody ever reads a half-written lock. A lock whose pid is dead is
 *   taken over; a live one is refused with the owner's pid and URLs.
 * - `state.json`: how to reach the running backend (URLs, pid, maybe the admin key),
 *   written atomically with mode 0600 because of that key.
 *
 * The extension calls `findRunningBackend` to reuse a backend that is already up
 * (started by another window or by hand) before starting its own.
 *
 * Data directory: `$SWITCHBOARD_DATA_DIR` if set and non-empty, else `~/.switchboard/local`.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export type BackendState = {
  pid: number;
  /** Deployment URL: sync WebSocket and HTTP API. */
  url: string;
  /** Where HTTP actions (convex/http.ts) are served. */
  siteUrl: string;
  adminKey?: string;
  /** Epoch milliseconds. */
  startedAt: number;
};

export type DataDirLock = { release(): void };

export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
  constructor(
    message: string,
    readonly pid: number,
    readonly state: BackendState | null,
  ) {
    super(message);
  }
}

const LOCK_FILE = "backend.lock";
const STATE_FILE = "state.json";
/** A takeover that has not finished within this time was abandoned by a dead process. */
const TAKEOVER_STALE_MS = 10_000;
/** An unparseable lock younger than this may still be being written. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;
const ACQUIRE_TIMEOUT_MS = 5_000;

export function defaultDataDir(): string {
  const fromEnv = process.env.SWITCHBOARD_DATA_DIR;
  return fromEnv !== undefined && fromEnv !== ""
    ? fromEnv
    : join(homedir(), ".switchboard", "local");
}

/**
 * Makes this process the data directory's only backend until `release()` (also called
 * at process exit). Throws DataDirInUseError when a live process holds it.
 */
export function acquireDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lockPath = join(dataDir, LOCK_FILE);
  const content = JSON.stringify({
    pid: process.pid,
    token: randomBytes(12).toString("hex"),
  });
  const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (tryCreateExclusive(lockPath, content))
      return holdLock(lockPath, content);
    const current = readFileOrNull(lockPath);
    if (current === null) continue; // Released meanwhile: try again.
    const holder = parseLock(current);
    if (holder === null && (ageMs(lockPath) ?? 0) < UNREADABLE_LOCK_GRACE_MS) {
      // Possibly being written right now (only where hard links are unsupported).
      sleepSync(50);
      continue;
    }
    if (holder !== null && isProcessAlive(holder.pid)) {
      throw inUseError(dataDir, holder.pid);
    }
    takeOverStaleLock(lockPath, current);
  }
  throw new Error(
    `Could not lock ${dataDir}: ${lockPath} keeps changing (several backends starting at once?)`,
  );
}

function holdLock(lockPath: string, content: string): DataDirLock {
  const release = (): void => {
    process.removeListener("exit", release);
    // Only remove the lock if it is still ours (never a successor's).
    if (readFileOrNull(lockPath) === content) rmSync(lockPath, { force: true });
  };
  process.once("exit", release);
  return { release };
}

/**
 * Removes a lock whose owner is dead. Two processes may find the same stale lock; a
 * takeover directory serializes them, and the lock is re-read inside it so a process
 * that lost the race does not delete the winner's fresh lock.
 */
function takeOverStaleLock(lockPath: string, staleContent: string): void {
  const mutex = `${lockPath}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (error) {
    if (!isErrno(error, "EEXIST")) throw error;
    const age = ageMs(mutex);
    if (age !== null && age > TAKEOVER_STALE_MS)
      rmSync(mutex, { recursive: true, force: true });
    else sleepSync(20);
    return;
  }
  try {
    if (readFileOrNull(lockPath) === staleContent)
      rmSync(lockPath, { force: true });
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}

function inUseError(dataDir: string, pid: number): DataDirInUseError {
  const state = readState(dataDir);
  const where =
    state !== null && state.pid === pid
      ? ` at ${state.url} (HTTP actions at ${state.siteUrl})`
      : " (its URLs are not published yet)";
  return new DataDirInUseError(
    `Another Switchboard local backend (pid ${pid}) is already running on ${dataDir}${where}. ` +
      `Connect to it, stop it, or choose another data directory (SWITCHBOARD_DATA_DIR).`,
    pid,
    state,
  );
}

// ---- state.json ----------------------------------------------------------------

/** Writes state.json atomically (temp file, fsync, rename), readable by its owner only. */
export function writeState(dataDir: string, state: BackendState): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const target = join(dataDir, STATE_FILE);
  const temp = `${target}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeFileSync(fd, JSON.stringify(state, null, 2) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** The published state, or null if there is none or it is unreadable. */
export function readState(dataDir: string): BackendState | null {
  const text = readFileOrNull(join(dataDir, STATE_FILE));
  if (text === null) return null;
  try {
    return parseState(JSON.parse(text));
  } catch {
    return null;
  }
}

export function removeState(dataDir: string): void {
  rmSync(join(dataDir, STATE_FILE), { force: true });
}

/**
 * The backend serving `dataDir`, if one is really up: its pid is alive and
 * `${url}/health` answers 2xx within `timeoutMs`. A leftover state.json is not trusted.
 */
export async function findRunningBackend(
  dataDir: string,
  options: { timeoutMs?: number } = {},
): Promise<BackendState | null> {
  const state = readState(dataDir);
  if (state === null || !isProcessAlive(state.pid)) return null;
  try {
    const response = await fetch(new URL("health", withSlash(state.url)), {
      signal: AbortSignal.timeout(options.timeoutMs ?? 1000),
    });
    await response.body?.cancel();
    return response.ok ? state : null;
  } catch {
    return null;
  }
}

function parseState(value: unknown): BackendState | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.pid !== "number" ||
    typeof v.url !== "string" ||
    typeof v.siteUrl !== "string" ||
    typeof v.startedAt !== "number" ||
    (v.adminKey !== undefined && typeof v.adminKey !== "string")
  ) {
    return null;
  }
  const state: BackendState = {
    pid: v.pid,
    url: v.url,
    siteUrl: v.siteUrl,
    startedAt: v.startedAt,
  };
  if (typeof v.adminKey === "string") state.adminKey = v.adminKey;
  return state;
}

function parseLock(text: string): { pid: number } | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null) return null;
    const pid = (value as Record<string, unknown>).pid;
    return typeof pid === "number" && Number.isInteger(pid) && pid > 0
      ? { pid }
      : null;
  } catch {
    return null;
  }
}

// ---- helpers ----------------------------------------------------------------

/** Creates `path` holding `content` only if it does not exist; never visible half-written. */
function tryCreateExclusive(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, content, { flag: "wx", mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    if (!["EPERM", "ENOTSUP", "ENOSYS"].some((code) => isErrno(error, code)))
      throw error;
  } finally {
    unlinkSync(temp);
  }
  // No hard links on this file system: exclusive create, briefly visible empty.
  try {
    writeFileSync(path, content, { flag: "wx", mode: 0o600 });
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    throw error;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isErrno(error, "EPERM");
  }
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function readFileOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return null;
    throw error;
  }
}

function ageMs(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isErrno(error: unknown, code: string): boolean {
  return (
    error instanceof Error && (error as NodeJS.ErrnoException).code === code
  );
}
