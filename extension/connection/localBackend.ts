/**
 * The embedded local backend of this window: found through its data directory's
 * state.json (another window, or a person, may already run it), or started as a
 * child process of VS Code's own runtime. Only a process this object started is
 * stopped on dispose; one found running belongs to someone else.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import {
  findRunningBackend,
  type BackendState,
} from "../../local-backend/discovery";
import { readOwnerToken } from "../../local-backend/switchboardApp";
import { Disposable } from "../util/disposable";
import { errorMessage } from "../util/errors";
import { LineTail } from "../util/lineTail";
import type { Logger } from "../util/log";
import { delay } from "../util/time";

export type { BackendState };

/** How to run `switchboard-backend`: the program and the arguments before the subcommand. */
export interface BackendCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * VS Code's own runtime runs the bundled backend: in the desktop app
 * process.execPath is Electron, which ELECTRON_RUN_AS_NODE turns into plain Node;
 * in code-server it is Node already and the variable is ignored.
 */
export function bundledBackendCommand(scriptPath: string): BackendCommand {
  return {
    file: process.execPath,
    args: [scriptPath],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
  };
}

/** What the control plane needs from a local backend (a fake in unit tests). */
export interface LocalBackendLike {
  readonly dataDir: string;
  /** The live backend, started if none runs. Concurrent calls share one attempt. */
  ensureRunning(): Promise<BackendState>;
  /** The owner's sign-in secret from the data directory, or null. */
  ownerToken(): string | null;
  dispose(): void;
}

export class BackendStartError extends Error {
  override name = "BackendStartError";
}

export interface LocalBackendOptions {
  readonly dataDir: string;
  readonly command: BackendCommand;
  readonly log: Logger;
  /** The first start bundles convex/ with esbuild and opens SQLite: allow for a slow disk. */
  readonly startTimeoutMs?: number;
}

const POLL_MS = 150;
// What serve prints when another process won the data directory's lock (local-backend/discovery.ts).
const IN_USE = /already running on/;

export class LocalBackend extends Disposable implements LocalBackendLike {
  readonly dataDir: string;
  private child: ChildProcess | null = null;
  private starting: Promise<BackendState> | null = null;

  constructor(private readonly options: LocalBackendOptions) {
    super();
    this.dataDir = options.dataDir;
  }

  /** Whether a backend process started by this window is alive. */
  get ownsProcess(): boolean {
    return isAlive(this.child);
  }

  find(): Promise<BackendState | null> {
    return findRunningBackend(this.dataDir, { timeoutMs: 1500 });
  }

  ensureRunning(): Promise<BackendState> {
    if (this.isDisposed) {
      return Promise.reject(new Error("The local backend was disposed."));
    }
    this.starting ??= this.findOrStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  ownerToken(): string | null {
    return readOwnerToken(this.dataDir);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    const child = this.child;
    this.child = null;
    if (isAlive(child)) {
      this.options.log.info(`Stopping the local backend (pid ${child?.pid})`);
      child?.kill("SIGTERM");
    }
  }

  private async findOrStart(): Promise<BackendState> {
    const found = await this.find();
    if (found !== null) return found;
    // Our own process is alive but does not answer: replace it, or the new one
    // would only find the data directory locked by it.
    const stale = this.child;
    if (stale !== null && isAlive(stale)) {
      this.options.log.warn(
        `The local backend (pid ${stale.pid}) does not answer; restarting it`,
      );
      await stop(stale, 5_000);
    }
    return await this.start();
  }

  private async start(): Promise<BackendState> {
    const { command, log } = this.options;
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const args = [
      ...command.args,
      "serve",
      "--data-dir",
      this.dataDir,
      "--port",
      "0",
      "--site-port",
      "0",
    ];
    log.info(`Starting the local backend on ${this.dataDir}`);
    const child = spawn(command.file, args, {
      env: command.env ?? process.env,
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    this.child = child;
    const tail = new LineTail(20);
    const pipe = (chunk: Buffer): void => {
      for (const line of tail.push(chunk.toString("utf8"))) {
        log.info(`[backend] ${line}`);
      }
    };
    child.stdout?.on("data", pipe);
    child.stderr?.on("data", pipe);
    // Set by the process's callbacks; an object so the loop below re-reads it.
    const ended: { how: string | null } = { how: null };
    child.once("error", (error) => {
      ended.how ??= `could not be started: ${errorMessage(error)}`;
    });
    child.once("exit", (code, signal) => {
      ended.how ??= signal === null ? `exit code ${code}` : `signal ${signal}`;
      log.info(`The local backend (pid ${child.pid}) ended: ${ended.how}`);
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.isDisposed) {
        throw new BackendStartError("Stopped while starting.");
      }
      const state = await this.find();
      if (state !== null) {
        if (state.pid !== child.pid) {
          log.info(`Another process (pid ${state.pid}) serves ${this.dataDir}`);
        }
        return state;
      }
      // Lost the lock to a backend that is still starting: wait for it to publish.
      if (ended.how !== null && !IN_USE.test(tail.text())) {
        throw new BackendStartError(
          `The local backend stopped while starting (${ended.how}).${lastOutput(tail)}`,
        );
      }
      await delay(POLL_MS);
    }
    if (isAlive(child)) child.kill("SIGTERM");
    throw new BackendStartError(
      `The local backend did not start within ${Math.round(timeoutMs / 1000)} s.${lastOutput(tail)}`,
    );
  }
}

/** SIGTERM (the backend closes its database and removes state.json), SIGKILL if it hangs. */
async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => resolve()),
  );
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function isAlive(child: ChildProcess | null): boolean {
  return (
    child !== null &&
    child.pid !== undefined &&
    child.exitCode === null &&
    child.signalCode === null
  );
}

/** The last lines that say something (stack frames and Node's banner are in the log). */
function lastOutput(tail: LineTail): string {
  const lines = tail
    .lines()
    .filter((line) => !/^\s+at |^Node\.js v\d/.test(line))
    .slice(-5);
  return lines.length === 0
    ? " It printed nothing."
    : ` Last output:\n${lines.join("\n")}`;
}
