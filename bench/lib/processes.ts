/**
 * Child processes and temporary directories that must not outlive the benchmark, even
 * when it fails or is interrupted: each registers a synchronous cleanup that runs on
 * exit (and on SIGINT/SIGTERM, which then exit).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root (this file is bench/lib/processes.ts). */
export const ROOT = resolve(__dirname, "..", "..");

const cleanups = new Set<() => void>();
let installed = false;

function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not stop the others.
    }
  }
}

export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runCleanups);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, cleaning up\n`);
      process.exit(code);
    });
  }
}

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function atExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export type TempDir = { path: string; remove(): void };

export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  const unregister = atExit(remove);
  return {
    path,
    remove() {
      unregister();
      remove();
    },
  };
}

type SpawnOptions = {
  nodeFlags?: readonly string[];
  stdout: "pipe" | "ignore";
};

/** Runs a TypeScript file with Node's own binary and tsx's loader: one process, no wrapper. */
export function spawnTs(
  file: string,
  args: readonly string[],
  options: SpawnOptions,
): ChildProcess {
  return spawnNode(
    [...(options.nodeFlags ?? []), "--import", "tsx", file, ...args],
    options,
  );
}

/** Runs `node ARGS` from the repository root; killed if this process exits first. */
export function spawnNode(
  args: readonly string[],
  options: Pick<SpawnOptions, "stdout">,
): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", options.stdout, "pipe"],
  });
  const unregister = atExit(() => {
    if (child.exitCode === null && child.signalCode === null)
      child.kill("SIGKILL");
  });
  child.once("exit", unregister);
  return child;
}

/** Resolves with the exit code once the child has exited, or null if it is still running at the deadline. */
export function waitForExit(
  child: ChildProcess,
  timeoutMs: number,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolveExit(null);
    }, timeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      resolveExit(code);
    };
    child.once("exit", onExit);
  });
}

/** Keeps the last `limit` characters of a stream, for error messages. */
export function tail(
  stream: NodeJS.ReadableStream | null,
  limit = 8192,
): () => string {
  let text = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/** CPU time (user + system, ms) a process has used so far, from /proc; NaN where unavailable. */
export function processCpuMs(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
