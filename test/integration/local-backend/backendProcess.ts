/**
 * The local backend as users run it: a separate `switchboard-backend serve`
 * process on a data directory, found through its state.json, stopped with
 * SIGTERM or killed with SIGKILL, and started again on the same directory.
 * Every process and client made here is tracked so `disposeAll()` (afterAll)
 * can clean up even when a test failed halfway.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";

export const ROOT = resolve(__dirname, "../../..");
const MAIN = join(ROOT, "local-backend", "main.ts");
const READY_TIMEOUT_MS = 40_000;
const STOP_TIMEOUT_MS = 10_000;

/** What `serve` publishes in `<dataDir>/state.json` (local-backend/discovery.ts). */
export type StateFile = {
  pid: number;
  url: string;
  siteUrl: string;
  adminKey?: string;
  startedAt: number;
};

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type StartOptions = {
  /** Reuse a data directory; by default a fresh temp dir, removed by dispose(). */
  dataDir?: string;
  /** Another convex/ folder (`--functions`); by default Switchboard's own. */
  functionsDir?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  sitePort?: number;
};

export type CliResult = {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
};

const everyBackend = new Set<Backend>();

/** Kills what a test left behind (also at worker exit, as a last resort). */
export async function disposeAll(): Promise<void> {
  await Promise.all([...everyBackend].map((backend) => backend.dispose()));
}
process.once("exit", () => {
  for (const backend of everyBackend) backend.killNow();
});

function nodeArgs(args: readonly string[]): string[] {
  return ["--import", "tsx", MAIN, ...args];
}

/** Runs the CLI to completion (e.g. `token`, or a `serve` expected to fail fast). */
export async function runCli(
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, nodeArgs(args), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolveExit, reject) => {
    child.once("error", reject);
    child.once("close", (exitCode) => resolveExit(exitCode));
  }).finally(() => clearTimeout(timer));
  return { code, stdout, stderr, durationMs: Date.now() - started };
}

export function readStateFile(dataDir: string): StateFile | null {
  try {
    return JSON.parse(
      readFileSync(join(dataDir, "state.json"), "utf8"),
    ) as StateFile;
  } catch {
    return null;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** `promise`, or a rejection naming `what` after `ms`; the timer never outlives it. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms: ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` returns something other than undefined/false/null. */
export async function waitFor<T>(
  probe: () =>
    T | undefined | false | null | Promise<T | undefined | false | null>,
  timeoutMs: number,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export async function healthOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, {
      signal: AbortSignal.timeout(1000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

export class Backend {
  private child: ChildProcess | null = null;
  private exited: Promise<Exit> = Promise.resolve({ code: null, signal: null });
  private current: StateFile | null = null;
  private readonly clients = new Set<ConvexClient>();
  /** stderr of every process run on this data dir, for failure messages. */
  log = "";

  private constructor(
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    readonly functionsDir: string | undefined,
  ) {}

  static async start(options: StartOptions = {}): Promise<Backend> {
    const backend = Backend.launch(options);
    await backend.waitReady();
    return backend;
  }

  /** Spawns `serve` without waiting for it (tests of what happens while it starts). */
  static launch(options: StartOptions = {}): Backend {
    const backend = new Backend(
      options.dataDir ?? mkdtempSync(join(tmpdir(), "sb-integration-")),
      options.dataDir === undefined,
      options.functionsDir,
    );
    everyBackend.add(backend);
    backend.spawn(options.port ?? 0, options.sitePort ?? 0);
    return backend;
  }

  get state(): StateFile {
    if (this.current === null) throw new Error("The backend never started.");
    return this.current;
  }
  get pid(): number {
    return this.state.pid;
  }
  get url(): string {
    return this.state.url;
  }
  get siteUrl(): string {
    return this.state.siteUrl;
  }

  isRunning(): boolean {
    return (
      this.child !== null &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** The process id of the current (maybe still starting) process. */
  get childPid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error("No process was spawned.");
    return pid;
  }

  /** Sends a signal as is (SIGSTOP / SIGCONT freeze and thaw the process). */
  signal(signal: NodeJS.Signals): void {
    if (this.isRunning()) this.child?.kill(signal);
  }

  private spawn(port: number, sitePort: number): void {
    if (this.isRunning()) throw new Error("The backend is already running.");
    const args = [
      "serve",
      "--data-dir",
      this.dataDir,
      "--port",
      String(port),
      "--site-port",
      String(sitePort),
    ];
    if (this.functionsDir !== undefined)
      args.push("--functions", this.functionsDir);
    const child = spawn(process.execPath, nodeArgs(args), {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    child.stderr?.on("data", (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise<Exit>((resolveExit) => {
      child.once("exit", (code, signal) => resolveExit({ code, signal }));
    });
  }

  /** Waits until this process published its state.json and /health answers. */
  private async waitReady(): Promise<void> {
    const pid = this.childPid;
    this.current = await waitFor(
      async () => {
        if (!this.isRunning())
          throw new Error(`The backend exited while starting:\n${this.log}`);
        const state = readStateFile(this.dataDir);
        return state !== null &&
          state.pid === pid &&
          (await healthOk(state.url))
          ? state
          : null;
      },
      READY_TIMEOUT_MS,
      `the backend on ${this.dataDir} to be ready`,
    ).catch((error: unknown) => {
      this.killNow();
      throw error;
    });
  }

  /** SIGTERM, and waits for a clean exit (SIGKILL if it hangs). */
  async stop(): Promise<Exit> {
    if (!this.isRunning()) return await this.exited;
    this.child?.kill("SIGTERM");
    const timer = setTimeout(
      () => this.child?.kill("SIGKILL"),
      STOP_TIMEOUT_MS,
    );
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: no shutdown code runs, as in a crash (what was written stays in the OS's cache). */
  async kill(): Promise<Exit> {
    this.killNow();
    return await this.exited;
  }

  killNow(): void {
    if (this.isRunning()) this.child?.kill("SIGKILL");
  }

  /**
   * Starts again on the same data directory. With `samePorts` the ports of the
   * previous run are asked for explicitly, so clients' URLs stay valid.
   */
  async restart(options: { samePorts: boolean }): Promise<void> {
    if (this.isRunning()) await this.stop();
    const previous = options.samePorts ? this.state : null;
    this.spawn(
      previous === null ? 0 : portOf(previous.url),
      previous === null ? 0 : portOf(previous.siteUrl),
    );
    await this.waitReady();
  }

  ownerToken(): string {
    return readFileSync(join(this.dataDir, "owner-token"), "utf8").trim();
  }

  /**
   * Exchanges the owner's sign-in token for a JWT at the site's /auth/token.
   * The JWT's issuer is the site URL, so it stays valid across restarts only
   * on the same site port.
   */
  async signIn(): Promise<string> {
    const response = await fetch(`${this.siteUrl}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: this.ownerToken() }),
    });
    const body = (await response.json()) as { token?: unknown };
    if (!response.ok || typeof body.token !== "string")
      throw new Error(
        `Sign-in failed (${response.status}): ${JSON.stringify(body)}`,
      );
    return body.token;
  }

  httpClient(jwt?: string): ConvexHttpClient {
    const client = new ConvexHttpClient(this.url, {
      skipConvexDeploymentUrlCheck: true,
      logger: false,
    });
    if (jwt !== undefined) client.setAuth(jwt);
    return client;
  }

  /** A WebSocket client, closed by dispose(); `url` defaults to the backend's. */
  client(
    options: {
      jwt?: string;
      onAuthChange?: (isAuthenticated: boolean) => void;
      url?: string;
    } = {},
  ): ConvexClient {
    const client = new ConvexClient(options.url ?? this.url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      skipConvexDeploymentUrlCheck: true,
      logger: false,
    });
    this.clients.add(client);
    const { jwt } = options;
    if (jwt !== undefined)
      client.setAuth(() => Promise.resolve(jwt), options.onAuthChange);
    return client;
  }

  async closeClient(client: ConvexClient): Promise<void> {
    this.clients.delete(client);
    await client.close();
  }

  /** Closes clients, kills the process, removes a temp data dir. Safe to call twice. */
  async dispose(): Promise<void> {
    everyBackend.delete(this);
    const clients = [...this.clients];
    this.clients.clear();
    await Promise.allSettled(clients.map((client) => client.close()));
    await this.kill();
    if (this.ownsDataDir)
      rmSync(this.dataDir, { recursive: true, force: true });
  }
}
