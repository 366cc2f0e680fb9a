/**
 * Runs a real VS Code (code-server, installed by scripts/install-e2e-vscode.sh into
 * .cache/code-server/) in a throwaway profile, with our extension installed.
 *
 *   const server = await startCodeServer({ vsix, settings: { ... } });
 *   await openWorkbench(browser, server.workspaceUrl);   // test/support/workbench.ts
 *   await server.stop();   // kills the whole process group, removes the temp dir
 *
 * Isolation: user data, extensions, HOME and XDG_* (where code-server keeps its own
 * config.yaml) live in one fresh temp dir, so nothing of the machine's VS Code or
 * code-server is read or written. No auth, bound to 127.0.0.1 on a port the OS picks.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { promisify } from "node:util";

const PREFIX = resolve(import.meta.dirname, "../..", ".cache", "code-server");

/** What to tell a person (or a skipped test) when code-server is missing. */
export const CODE_SERVER_INSTALL_HINT =
  "code-server is not installed: run `bash scripts/install-e2e-vscode.sh` " +
  "(about 4 minutes; needs apt and the npm registry)";

/** The installed code-server binary, or undefined. CODE_SERVER_BIN overrides. */
export function codeServerBin(): string | undefined {
  const override = process.env.CODE_SERVER_BIN;
  if (override) return existsSync(override) ? override : undefined;
  const bin = join(PREFIX, "node_modules", ".bin", "code-server");
  // The install script writes the stamp last: a binary without it is a half install.
  const complete = existsSync(join(PREFIX, ".installed-version"));
  return complete && existsSync(bin) ? bin : undefined;
}

export type CodeServerOptions = {
  /** A .vsix to install with `--install-extension` before the server starts. */
  vsix?: string;
  /** An unpacked extension (folder with package.json), copied in as publisher.name-version. */
  extensionFolder?: string;
  /** The folder the workbench opens (workspaceUrl); default: an empty temp folder. */
  workspace?: string;
  /** User settings on top of BASE_SETTINGS, e.g. { "workbench.colorTheme": "..." }. */
  settings?: Record<string, unknown>;
  /** Added to the server's environment (the extension host inherits it). */
  env?: Record<string, string>;
  /** How long to wait for the server to answer; default 60 s. */
  startTimeoutMs?: number;
  /** Keep the temp dir (logs, profile) after stop(). Also SWITCHBOARD_E2E_KEEP=1. */
  keep?: boolean;
};

/**
 * Every run gets these: no trust prompt and no welcome page (both cover the workbench),
 * and nothing that phones home or pops up by itself and makes screenshots flaky.
 */
export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "extensions.ignoreRecommendations": true,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "workbench.enableExperiments": false,
};

type Dirs = {
  root: string;
  userData: string;
  extensions: string;
  workspace: string;
};

export class CodeServer {
  /** Set once code-server reports where it listens. */
  port = 0;
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;
  private stopped = false;
  private readonly killOnExit = () => this.killGroup("SIGKILL");

  constructor(
    private readonly child: ChildProcess,
    readonly dirs: Dirs,
    private readonly settings: Record<string, unknown>,
    private readonly keep: boolean,
  ) {
    const collect = (chunk: Buffer) => {
      this.output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      this.output.splice(0, Math.max(0, this.output.length - 500));
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((done) => {
      child.once("exit", () => done());
      // Not started at all (e.g. EACCES): there will be no "exit".
      child.once("error", (error) => {
        this.output.push(`spawn failed: ${error.message}`);
        done();
      });
    });
    // An interrupted or crashed test run must not leave VS Code servers behind.
    process.once("exit", this.killOnExit);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** The workbench with the workspace folder open. */
  get workspaceUrl(): string {
    return `${this.url}?folder=${encodeURIComponent(this.dirs.workspace)}`;
  }

  /** Last lines of code-server's stdout and stderr. */
  logTail(lines = 40): string {
    return this.output.slice(-lines).join("\n");
  }

  /** Last lines of each extension host log: where an extension's activation errors go. */
  async extensionHostLog(lines = 40): Promise<string> {
    const logs = join(this.dirs.userData, "logs");
    if (!existsSync(logs)) return "(no logs yet)";
    // code-server's extension host runs on the server side: remoteexthost.log.
    const files = (await fs.readdir(logs, { recursive: true }))
      .filter((path) => /(^|\/)(remote)?exthost\.log$/i.test(path))
      .map((path) => join(logs, path));
    const parts = await Promise.all(
      files.map(async (path) => {
        const text = await fs.readFile(path, "utf8");
        return `--- ${path}\n${text.split("\n").slice(-lines).join("\n")}`;
      }),
    );
    return parts.join("\n") || "(no extension host log yet)";
  }

  /**
   * Merges into the user settings file. code-server does not watch it: the change
   * applies when the workbench loads next (Workbench.reload()). To change a setting
   * in a running workbench, use its UI (e.g. Workbench.setColorTheme()).
   */
  async updateSettings(settings: Record<string, unknown>): Promise<void> {
    Object.assign(this.settings, settings);
    await writeSettings(this.dirs.userData, this.settings);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener("exit", this.killOnExit);
    this.killGroup("SIGTERM");
    await Promise.race([this.exited, delay(5_000)]);
    // The extension host and pty host are in the group too; none may outlive us.
    this.killGroup("SIGKILL");
    await this.exited;
    if (!this.keep)
      await fs.rm(this.dirs.root, { recursive: true, force: true });
  }

  /** Waits for "HTTP server listening on ...:PORT/", then for /healthz to answer. */
  async waitUntilListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
      const { exitCode, signalCode, pid } = this.child;
      if (exitCode !== null || signalCode !== null || pid === undefined) {
        throw new Error(`it exited (${signalCode ?? `code ${exitCode}`})`);
      }
      const listening = this.output
        .join("\n")
        .match(/HTTP server listening on \S+:(\d+)\//);
      if (listening?.[1]) {
        this.port = Number(listening[1]);
        try {
          // code-server's own health endpoint.
          const response = await fetch(`${this.url}healthz`, {
            signal: AbortSignal.timeout(2_000),
          });
          if (response.ok) return;
          last = `HTTP ${response.status}`;
        } catch (error) {
          last = (error as Error).message;
        }
      }
      await delay(200);
    }
    throw new Error(`not answering after ${timeoutMs} ms (${last})`);
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }
}

export async function startCodeServer(
  options: CodeServerOptions = {},
): Promise<CodeServer> {
  const bin = codeServerBin();
  if (!bin) throw new Error(CODE_SERVER_INSTALL_HINT);
  const keep = options.keep ?? process.env.SWITCHBOARD_E2E_KEEP === "1";
  const root = await fs.mkdtemp(join(tmpdir(), "switchboard-code-server-"));
  const dirs: Dirs = {
    root,
    userData: join(root, "user-data"),
    extensions: join(root, "extensions"),
    workspace: options.workspace ?? join(root, "workspace"),
  };
  let server: CodeServer | undefined;
  try {
    for (const dir of [dirs.extensions, dirs.workspace, join(root, "home")]) {
      await fs.mkdir(dir, { recursive: true });
    }
    const settings = { ...BASE_SETTINGS, ...options.settings };
    await writeSettings(dirs.userData, settings);
    const env = isolatedEnv(root, options.env);
    const { userData, extensions } = dirs;
    const profile = [
      "--user-data-dir",
      userData,
      "--extensions-dir",
      extensions,
    ];
    if (options.vsix) await installVsix(bin, profile, options.vsix, env);
    if (options.extensionFolder)
      await copyExtension(options.extensionFolder, dirs.extensions);

    const args = [
      ...profile,
      // Port 0: the OS picks a free one (no race between parallel runs); read from the log.
      ...["--auth", "none", "--bind-addr", "127.0.0.1:0"],
      ...["--disable-telemetry", "--disable-update-check"],
      // Otherwise it reopens the folder the profile had last, not ours.
      "--ignore-last-opened",
      dirs.workspace,
    ];
    // Own process group (detached), so stop() reaches the extension host and pty host.
    const child = spawn(bin, args, {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server = new CodeServer(child, dirs, settings, keep);
    await server.waitUntilListening(options.startTimeoutMs ?? 60_000);
    return server;
  } catch (error) {
    const tail = server
      ? `\n--- code-server output (last lines)\n${server.logTail()}`
      : "";
    await server?.stop();
    if (!keep) await fs.rm(root, { recursive: true, force: true });
    const message = `code-server failed to start: ${(error as Error).message}${tail}`;
    throw new Error(message, { cause: error });
  }
}

async function writeSettings(
  userData: string,
  settings: Record<string, unknown>,
) {
  await fs.mkdir(join(userData, "User"), { recursive: true });
  const json = `${JSON.stringify(settings, null, 2)}\n`;
  await fs.writeFile(join(userData, "User", "settings.json"), json);
}

/** The parent's environment, pointed at the temp dir and minus what would redirect it. */
function isolatedEnv(
  root: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  // VSCODE_* from a surrounding VS Code terminal makes code-server act as its remote
  // CLI; PASSWORD would switch auth back on.
  const drop = /^(VSCODE_.*|PASSWORD|HASHED_PASSWORD)$/;
  const env = Object.entries(process.env).filter(([key]) => !drop.test(key));
  const home = join(root, "home");
  return {
    ...Object.fromEntries(env),
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    ...extra,
  };
}

async function installVsix(
  bin: string,
  profile: string[],
  vsix: string,
  env: NodeJS.ProcessEnv,
) {
  const args = [...profile, "--install-extension", vsix];
  try {
    const { stdout } = await promisify(execFile)(bin, args, {
      env,
      timeout: 60_000,
    });
    // It exits 0 on some failures (e.g. an unsupported engine); success says so.
    if (!/successfully installed/i.test(stdout)) throw new Error(stdout);
  } catch (error) {
    const { stdout = "", stderr = "" } = error as Record<string, string>;
    const detail = `${stdout}${stderr}`.trim() || (error as Error).message;
    throw new Error(`--install-extension ${vsix} failed:\n${detail}`, {
      cause: error,
    });
  }
}

/** VS Code also loads extensions found unpacked in the extensions dir. */
async function copyExtension(
  folder: string,
  extensionsDir: string,
): Promise<void> {
  const manifest = await fs.readFile(join(folder, "package.json"), "utf8");
  const { publisher, name, version } = JSON.parse(manifest) as Record<
    string,
    string
  >;
  if (!publisher || !name || !version) {
    throw new Error(`${folder}/package.json needs publisher, name and version`);
  }
  const id = `${publisher}.${name}-${version}`.toLowerCase();
  await fs.cp(folder, join(extensionsDir, id), { recursive: true });
}
