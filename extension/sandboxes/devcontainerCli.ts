/**
 * The dev container CLI (@devcontainers/cli) as a child process: `up`,
 * `run-user-commands` and `exec` against one sandbox, found by its
 * `switchboard.sandbox` id label. No vscode import: the caller supplies the CLI
 * path and a Node binary (VS Code's own, with ELECTRON_RUN_AS_NODE=1 in env).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { LineTail } from "../util/lineTail";
import { SandboxStageError, stripAnsi, tailText } from "./stageError";

export type DevcontainerCliOptions = {
  cliPath: string;
  nodePath: string;
  /** Added to (and overriding) this process's environment for each CLI run. */
  env?: NodeJS.ProcessEnv;
};

export type SandboxTarget = {
  workspaceFolder: string;
  overrideConfigPath: string;
  sandboxId: string;
  dockerHost?: string;
};

export type ExecResult = { exitCode: number; stdout: string; stderr: string };

type LogSink = ((line: string) => void) | undefined;

type RunResult = {
  exitCode: number;
  stdout: string;
  stderr: string;
  tail: string;
};

/** The CLI shipped in node_modules (a packaged build passes its own copy instead). */
export function defaultDevcontainerCliPath(): string {
  // No import.meta: the extension is bundled as CommonJS, where __filename exists.
  const base =
    typeof __filename === "string"
      ? __filename
      : join(process.cwd(), "index.js");
  try {
    return createRequire(base).resolve("@devcontainers/cli/devcontainer.js");
  } catch (error) {
    throw new SandboxStageError(
      "The dev container CLI (@devcontainers/cli) was not found next to Switchboard. Reinstall the extension and retry.",
      "",
      { cause: error },
    );
  }
}

export class DevcontainerCli {
  constructor(private readonly options: DevcontainerCliOptions) {}

  async up(
    target: SandboxTarget,
    opts: { skipPostCreate: boolean; onLog?: (line: string) => void },
  ): Promise<{ containerId: string; remoteUser: string }> {
    const extra = opts.skipPostCreate ? ["--skip-post-create"] : [];
    const run = await this.run(
      "up",
      target,
      [...extra, "--log-format", "json"],
      {
        onLog: opts.onLog,
        json: true,
      },
    );
    const outcome = lastOutcome(run.stdout);
    const containerId = outcome?.containerId;
    if (
      run.exitCode !== 0 ||
      outcome?.outcome !== "success" ||
      typeof containerId !== "string"
    ) {
      throw cliFailure(
        "Could not start the dev container",
        outcome,
        run,
        "Check the devcontainer.json and the Docker engine, then retry.",
      );
    }
    const remoteUser =
      typeof outcome.remoteUser === "string" ? outcome.remoteUser : "root";
    return { containerId, remoteUser };
  }

  /** onCreate, updateContent and postCreate commands (skipped by `up` with skipPostCreate). */
  async runUserCommands(
    target: SandboxTarget,
    opts: { onLog?: (line: string) => void } = {},
  ): Promise<void> {
    const run = await this.run(
      "run-user-commands",
      target,
      ["--log-format", "json"],
      {
        onLog: opts.onLog,
        json: true,
      },
    );
    const outcome = lastOutcome(run.stdout);
    if (run.exitCode !== 0 || outcome?.outcome !== "success") {
      throw cliFailure(
        "The dev container's setup commands failed",
        outcome,
        run,
        "Fix them in devcontainer.json (or run them by hand in the container) and retry.",
      );
    }
  }

  /**
   * Runs `command` in the container as its remote user, in the workspace folder.
   * `devcontainer exec` forwards a piped stdin (verified with 270 KB), so no
   * `docker exec` detour is needed. Text log format on purpose: with json the
   * CLI wraps the command's stdout and stderr alike into log lines on stderr.
   */
  async exec(
    target: SandboxTarget,
    command: string[],
    opts: { stdin?: string; onLog?: (line: string) => void } = {},
  ): Promise<ExecResult> {
    const run = await this.run("exec", target, command, {
      onLog: opts.onLog,
      json: false,
      stdin: opts.stdin ?? "",
    });
    // The CLI's own failures (no such container, ...) look like "[time] Error: ...".
    const cliError = /^\[\d{4}-\d\d-\d\dT[^\]]*\] Error: (.*)$/m.exec(
      run.stderr,
    );
    if (run.exitCode !== 0 && cliError !== null) {
      throw new SandboxStageError(
        `Could not run a command in the dev container: ${cliError[1] ?? ""} Start the sandbox again and retry.`,
        run.tail,
      );
    }
    return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
  }

  private run(
    subcommand: string,
    target: SandboxTarget,
    rest: string[],
    opts: { onLog: LogSink; json: boolean; stdin?: string },
  ): Promise<RunResult> {
    const args = [
      this.options.cliPath,
      subcommand,
      "--workspace-folder",
      target.workspaceFolder,
      "--override-config",
      target.overrideConfigPath,
      "--id-label",
      `switchboard.sandbox=${target.sandboxId}`,
      // exec's command comes last: options after it would be the command's.
      ...rest,
    ];
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env };
    if (target.dockerHost !== undefined) env.DOCKER_HOST = target.dockerHost;
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.nodePath, args, { env, stdio: "pipe" });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      // One tail per stream, so a half line on one is never glued to the other's.
      const outTail = new LineTail(80);
      const errTail = new LineTail(80);
      const readable = (line: string): string[] =>
        (opts.json ? (readableLogLine(line) ?? "") : stripAnsi(line))
          .split("\n")
          .filter((text) => text.trim() !== "");
      const forward = (tail: LineTail, chunk: Buffer): void => {
        for (const line of tail.push(chunk.toString("utf8"))) {
          for (const text of readable(line)) opts.onLog?.(text);
        }
      };
      child.stdout.on("data", (chunk: Buffer) => {
        stdout.push(chunk);
        // up's stdout is its one result line; exec's is the command's own output.
        if (!opts.json) forward(outTail, chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr.push(chunk);
        forward(errTail, chunk);
      });
      child.on("error", (error) => {
        reject(
          new SandboxStageError(
            `Could not run the dev container CLI (${this.options.nodePath} ${this.options.cliPath}): ${error.message}`,
          ),
        );
      });
      child.on("close", (code, signal) => {
        // A last line without a newline still belongs in the log.
        forward(outTail, Buffer.from("\n"));
        forward(errTail, Buffer.from("\n"));
        resolve({
          exitCode: code ?? (signal === null ? 1 : 128),
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: Buffer.concat(stderr).toString("utf8"),
          tail: tailText(errTail.lines().flatMap(readable).join("\n")),
        });
      });
      // A command that reads stdin must see its end, or it would wait forever.
      child.stdin.on("error", () => undefined);
      child.stdin.end(opts.stdin ?? "");
    });
  }
}

type Outcome = {
  outcome?: unknown;
  message?: unknown;
  description?: unknown;
  [key: string]: unknown;
};

/** The CLI's result: the last stdout line that is a JSON object with an "outcome". */
function lastOutcome(stdout: string): Outcome | undefined {
  const lines = stdout.split("\n").reverse();
  for (const line of lines) {
    const parsed = parseObject(line);
    if (parsed !== undefined && "outcome" in parsed) return parsed;
  }
  return undefined;
}

function parseObject(line: string): Outcome | undefined {
  if (!line.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Outcome)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One CLI log line as text, or undefined when not worth showing: "stop" events
 * repeat their "start", and trace-level lines (level 1) include the container's
 * whole environment from the user-env probe.
 */
function readableLogLine(line: string): string | undefined {
  const entry = parseObject(line);
  if (entry === undefined) return stripAnsi(line);
  if (
    entry.type === "stop" ||
    entry.level === 1 ||
    typeof entry.text !== "string"
  )
    return undefined;
  return stripAnsi(entry.text).replace(/\r/g, "").trimEnd();
}

function cliFailure(
  what: string,
  outcome: Outcome | undefined,
  run: RunResult,
  advice: string,
): SandboxStageError {
  const message =
    typeof outcome?.message === "string"
      ? stripAnsi(outcome.message).trim()
      : "";
  const description =
    typeof outcome?.description === "string" ? outcome.description.trim() : "";
  const detail = [message, description]
    .filter((part) => part !== "")
    .join(" — ");
  return new SandboxStageError(
    `${what}${detail === "" ? ` (exit code ${run.exitCode})` : `: ${detail}`}. ${advice}`,
    run.tail,
  );
}
