/**
 * This VS Code window as a sandbox runner: for the signed-in project and the
 * window's git repository it claims sandbox work as soon as the project's
 * sandboxes change (a person's Open Sandbox, an agent's request_sandbox, a
 * task that ended), and sweeps for vanished containers and worktrees every
 * minute. Settings: switchboard.sandboxes.*.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, basename, join } from "node:path";
import { randomUUID } from "node:crypto";
import { simpleGit } from "simple-git";
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { claimOpenTo, RUNNER_WORK } from "../../convex/model/sandboxStages";
import type { ControlPlane, Session } from "../contracts";
import { Disposable, toDisposable } from "../util/disposable";
import { DevcontainerCli, defaultDevcontainerCliPath } from "./devcontainerCli";
import { SandboxRunner } from "./runner";
import { runnerCalls } from "./runnerCalls";
import { writeTarget, type SandboxEnvironment } from "./stages";
import type { SandboxTarget } from "./devcontainerCli";

const SWEEP_MS = 60_000;

export type SandboxLog = Pick<
  vscode.LogOutputChannel,
  "info" | "warn" | "error"
>;

export class SandboxService extends Disposable {
  private runner: SandboxRunner | null = null;
  private env: SandboxEnvironment | null = null;
  private live: Doc<"sandboxes">[] = [];
  private readonly runnerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly plane: ControlPlane,
    private readonly log: SandboxLog,
  ) {
    super();
    this.register(
      plane.watch(
        api.sandboxes.listLive,
        (session) => ({ projectId: session.projectId as Id<"projects"> }),
        (sandboxes) => {
          this.live = sandboxes;
          if (sandboxes.some((sandbox) => this.hasWorkFor(sandbox))) {
            void this.kick();
          }
        },
        (error) => this.log.warn(`sandboxes: ${error.message}`),
      ),
    );
    const timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.register(toDisposable(() => clearInterval(timer)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("switchboard.sandboxes")) this.reset();
      }),
    );
    this.register(plane.onDidChangeSession(() => this.reset()));
    this.register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset()),
    );
  }

  /** The repository this window runs sandboxes for, or null (no git folder open). */
  async repository(): Promise<string | null> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== "file") continue;
      try {
        const root = await simpleGit(folder.uri.fsPath).revparse([
          "--show-toplevel",
        ]);
        return root.trim();
      } catch {
        // Not a git checkout; try the next folder.
      }
    }
    return null;
  }

  /** Local branches of the repository, the checked-out one first. */
  async branches(repository: string): Promise<string[]> {
    const summary = await simpleGit(repository).branchLocal();
    return [
      summary.current,
      ...summary.all.filter((name) => name !== summary.current),
    ].filter((name) => name !== "");
  }

  /** The dev container CLI's handle on a sandbox of this window's repository. */
  async target(sandbox: Doc<"sandboxes">): Promise<SandboxTarget> {
    const env = await this.environment();
    if (env === null) {
      throw new Error("Open the sandbox's repository in this window first.");
    }
    return await writeTarget({ sandbox, env });
  }

  /** How to run the dev container CLI from this VS Code (its own Node runtime). */
  cliCommand(): {
    nodePath: string;
    cliPath: string;
    env: Record<string, string>;
  } {
    const bundled = join(
      this.context.extensionPath,
      "dist",
      "devcontainers-cli",
      "devcontainer.js",
    );
    return {
      nodePath: process.execPath,
      cliPath: existsSync(bundled) ? bundled : defaultDevcontainerCliPath(),
      // VS Code's runtime is Electron; this makes it behave as plain Node.
      env: {
        ELECTRON_RUN_AS_NODE: "1",
        ...dockerHostEnv(settings().dockerHost),
      },
    };
  }

  private hasWorkFor(sandbox: Doc<"sandboxes">): boolean {
    return (
      RUNNER_WORK.includes(sandbox.status) &&
      claimOpenTo(sandbox.runner, this.runnerId, Date.now())
    );
  }

  private reset(): void {
    this.runner = null;
    this.env = null;
  }

  private async kick(): Promise<void> {
    const runner = await this.ensureRunner();
    if (runner !== null) await runner.kick();
  }

  private async sweep(): Promise<void> {
    try {
      const runner = await this.ensureRunner();
      if (runner === null) return;
      const marked = await runner.sweep();
      if (marked > 0) this.log.warn(`sandboxes: ${marked} found missing`);
      if (this.live.some((sandbox) => this.hasWorkFor(sandbox))) {
        await runner.kick();
      }
    } catch (error) {
      this.log.warn(
        `sandbox sweep: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async ensureRunner(): Promise<SandboxRunner | null> {
    if (this.runner !== null) return this.runner;
    if (!settings().runner) return null;
    const session = this.plane.session;
    const env = await this.environment();
    if (session === null || env === null) return null;
    const calls = runnerCalls(this.plane, {
      projectId: session.projectId as Id<"projects">,
      runnerId: this.runnerId,
      repository: env.repository,
      host: env.dockerHost ?? "local",
    });
    this.runner = new SandboxRunner(calls, env, (line) => this.log.info(line));
    return this.runner;
  }

  private async environment(): Promise<SandboxEnvironment | null> {
    if (this.env !== null) return this.env;
    const session = this.plane.session;
    const repository = await this.repository();
    if (session === null || repository === null) return null;
    const config = settings();
    const cli = this.cliCommand();
    this.env = {
      repository,
      worktreeRoot:
        config.worktreeRoot !== ""
          ? config.worktreeRoot
          : join(dirname(repository), `${basename(repository)}.worktrees`),
      stateDir: join(this.context.globalStorageUri.fsPath, "sandboxes"),
      toolsDir: join(this.context.extensionPath, "dist"),
      backendUrl: session.url,
      siteUrl: session.siteUrl,
      hostNetwork: config.dockerHost === undefined && isLoopback(session),
      dockerHost: config.dockerHost,
      devcontainer: new DevcontainerCli({
        cliPath: cli.cliPath,
        nodePath: cli.nodePath,
        env: cli.env,
      }),
      installClaudeCode: config.installClaudeCode,
    };
    return this.env;
  }
}

type SandboxSettings = {
  runner: boolean;
  worktreeRoot: string;
  /** undefined: the local engine. */
  dockerHost: string | undefined;
  installClaudeCode: boolean;
};

function settings(): SandboxSettings {
  const config = vscode.workspace.getConfiguration("switchboard.sandboxes");
  const dockerHost =
    config.get<string>("dockerHost", "").trim() ||
    (process.env.DOCKER_HOST ?? "").trim();
  return {
    runner: config.get<boolean>("runner", true),
    worktreeRoot: config.get<string>("worktreeRoot", "").trim(),
    dockerHost: dockerHost === "" ? undefined : dockerHost,
    installClaudeCode: config.get<boolean>("installClaudeCode", false),
  };
}

function dockerHostEnv(dockerHost: string | undefined): Record<string, string> {
  return dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost };
}

/** A backend on this machine's loopback is reachable from a container only on the host network. */
function isLoopback(session: Session): boolean {
  const host = new URL(session.url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}
