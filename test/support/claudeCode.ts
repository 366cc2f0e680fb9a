/**
 * Runs the real Claude Code CLI (node_modules/.bin/claude, npm @anthropic-ai/claude-code)
 * non-interactively against a scripted model, in a throwaway sandbox.
 *
 *   const model = await ScriptedModel.start([...]);
 *   const run = await runClaudeCode({
 *     prompt: "Echo ping",
 *     baseUrl: model.baseUrl,
 *     mcpServers: { probe: tsxMcpServer("test/fixtures/mcp-probe/server.ts", { PROBE_LOG: log }) },
 *     allowedTools: ["mcp__probe__echo"],
 *   });
 *   expect(run.result?.result).toBe("...");  // the final `result` event
 *   await run.dispose();                      // removes the sandbox
 *
 * Isolation: HOME, CLAUDE_CONFIG_DIR, XDG_* and TMPDIR point into a fresh temp dir and
 * the environment is rebuilt from an allowlist, so the user's config, credentials and
 * any ANTHROPIC_* variables of the parent are never read or written. The MCP config is
 * a file passed with --mcp-config plus --strict-mcp-config.
 *
 * Verified on Claude Code 2.1.329: --permission-prompt-tool and --max-turns work but are
 * hidden from --help. ENABLE_TOOL_SEARCH=false is set because by default MCP tools are
 * "deferred": only named in the system prompt, their schemas absent from `tools` until
 * the model calls ToolSearch, so tests could not check what the model is offered.
 * Output is stream-json (+ --verbose): every event, including init with MCP status.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export type McpServerConfig = {
  command: string;
  args?: string[];
  env?: Record<string, string>;
};

export type ClaudeCodeOptions = {
  prompt: string;
  /** The scripted model's base URL (ANTHROPIC_BASE_URL). */
  baseUrl: string;
  mcpServers?: Record<string, McpServerConfig>;
  allowedTools?: string[];
  disallowedTools?: string[];
  /** e.g. "mcp__probe__approve": asked before any tool that needs permission. */
  permissionPromptTool?: string;
  maxTurns?: number;
  /** Inline --settings, e.g. { permissions: { ask: ["Bash"] } }. */
  settings?: Record<string, unknown>;
  model?: string;
  extraArgs?: string[];
  /** Added to (and overriding) the sandbox environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Files to create in the project dir (the CLI's cwd) before the run. */
  files?: Record<string, string>;
  /** Default 90 s; the process group is killed after it. */
  timeoutMs?: number;
};

/** The final `{"type":"result"}` event of a run. */
export type ClaudeCodeResult = {
  type: "result";
  subtype: string;
  is_error: boolean;
  result?: string;
  num_turns: number;
  session_id: string;
  permission_denials: {
    tool_name: string;
    tool_use_id: string;
    tool_input: unknown;
  }[];
  [key: string]: unknown;
};

export type StreamEvent = {
  type: string;
  subtype?: string;
  [key: string]: unknown;
};

export type ClaudeCodeRun = {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Every stream-json event printed on stdout, in order. */
  events: StreamEvent[];
  result: ClaudeCodeResult | undefined;
  /** MCP server name -> status from the init event ("connected", "failed", ...). */
  mcpStatus: Record<string, string>;
  projectDir: string;
  durationMs: number;
  dispose(): Promise<void>;
};

const requireFromHere = createRequire(import.meta.url);
const repoRoot = resolve(import.meta.dirname, "../..");
export const claudeBinary = join(repoRoot, "node_modules/.bin/claude");

/**
 * An MCP server written in TypeScript, run by this Node through tsx's loader. It keeps
 * the test process's TMPDIR (not the sandbox's) so tsx's transform cache is reused
 * across runs instead of recompiling the server every time.
 */
export function tsxMcpServer(
  script: string,
  env: Record<string, string> = {},
): McpServerConfig {
  const loader = pathToFileURL(requireFromHere.resolve("tsx")).href;
  return {
    command: process.execPath,
    args: ["--import", loader, resolve(repoRoot, script)],
    env: { TMPDIR: tmpdir(), ...env },
  };
}

export async function runClaudeCode(
  options: ClaudeCodeOptions,
): Promise<ClaudeCodeRun> {
  const root = await mkdtemp(join(tmpdir(), "switchboard-claude-"));
  const dispose = (): Promise<void> =>
    rm(root, { recursive: true, force: true });
  try {
    const home = join(root, "home");
    const projectDir = join(root, "project");
    const tmp = join(root, "tmp");
    await Promise.all(
      [home, projectDir, tmp].map((dir) => mkdir(dir, { recursive: true })),
    );
    for (const [name, content] of Object.entries(options.files ?? {})) {
      await writeFile(join(projectDir, name), content);
    }
    const mcpConfig = join(root, "mcp.json");
    await writeFile(
      mcpConfig,
      JSON.stringify({ mcpServers: options.mcpServers ?? {} }),
    );
    const run = await spawnClaude(buildArgs(options, mcpConfig), {
      cwd: projectDir,
      env: sandboxEnv(home, tmp, options.baseUrl, options.env),
      timeoutMs: options.timeoutMs ?? 90_000,
    });
    const events = parseEvents(run.stdout);
    const result = events.find(
      (e): e is ClaudeCodeResult & StreamEvent => e.type === "result",
    );
    const init = events.find(
      (e) => e.type === "system" && e.subtype === "init",
    );
    return {
      ...run,
      events,
      result,
      mcpStatus: mcpStatusOf(init),
      projectDir,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

function buildArgs(options: ClaudeCodeOptions, mcpConfig: string): string[] {
  // stream-json needs --verbose in print mode; it adds the init event (MCP status) and
  // every assistant/user message, which the plain json format leaves out.
  const args = [
    "-p",
    options.prompt,
    "--output-format",
    "stream-json",
    "--verbose",
  ];
  args.push("--mcp-config", mcpConfig, "--strict-mcp-config");
  if (options.allowedTools?.length)
    args.push("--allowedTools", options.allowedTools.join(","));
  if (options.disallowedTools?.length) {
    args.push("--disallowedTools", options.disallowedTools.join(","));
  }
  if (options.permissionPromptTool) {
    args.push("--permission-prompt-tool", options.permissionPromptTool);
  }
  args.push("--max-turns", String(options.maxTurns ?? 10));
  if (options.settings)
    args.push("--settings", JSON.stringify(options.settings));
  if (options.model) args.push("--model", options.model);
  return [...args, ...(options.extraArgs ?? [])];
}

function sandboxEnv(
  home: string,
  tmp: string,
  baseUrl: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local/share"),
    XDG_STATE_HOME: join(home, ".local/state"),
    TMPDIR: tmp,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: "scripted-model-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    ENABLE_TOOL_SEARCH: "false",
  };
  for (const name of ["PATH", "LANG", "LC_ALL", "USER", "LOGNAME", "SHELL"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

type ProcessOutput = Pick<
  ClaudeCodeRun,
  "exitCode" | "stdout" | "stderr" | "durationMs"
>;

function spawnClaude(
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ProcessOutput> {
  const started = Date.now();
  // detached: the CLI leads its own process group, so a timeout kills its MCP servers too.
  const child = spawn(claudeBinary, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout
    .setEncoding("utf8")
    .on("data", (chunk: string) => (stdout += chunk));
  child.stderr
    .setEncoding("utf8")
    .on("data", (chunk: string) => (stderr += chunk));
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const exited = (): boolean =>
    child.exitCode !== null || child.signalCode !== null;
  // Whatever the CLI left in its group (MCP servers, tool processes) must not outlive
  // it; killing the group on exit also closes pipes a straggler would hold open.
  child.once("exit", killGroup);
  return new Promise((resolvePromise, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      const fail = (): void =>
        reject(
          new Error(
            `Claude Code did not finish within ${opts.timeoutMs} ms (killed).\n` +
              `stderr tail:\n${tail(stderr)}\nstdout tail:\n${tail(stdout)}`,
          ),
        );
      // Report once the CLI is really gone, so callers can clean up its files.
      if (exited()) return fail();
      const grace = setTimeout(fail, 5_000);
      child.once("exit", () => {
        clearTimeout(grace);
        fail();
      });
    }, opts.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`Could not start ${claudeBinary}: ${error.message}`));
    });
    child.once("close", (exitCode) => {
      clearTimeout(timer);
      if (timedOut) return;
      resolvePromise({
        exitCode,
        stdout,
        stderr,
        durationMs: Date.now() - started,
      });
    });
  });
}

function parseEvents(stdout: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    try {
      events.push(JSON.parse(line) as StreamEvent);
    } catch {
      // A non-JSON line (e.g. a warning) is kept in stdout for the reader, not an event.
    }
  }
  return events;
}

function mcpStatusOf(init: StreamEvent | undefined): Record<string, string> {
  const servers = init?.mcp_servers;
  if (!Array.isArray(servers)) return {};
  const status: Record<string, string> = {};
  for (const server of servers as { name?: unknown; status?: unknown }[]) {
    status[String(server.name)] = String(server.status);
  }
  return status;
}

/** The last lines of a stream, for error messages. */
export function tail(text: string, lines = 30): string {
  return text.split("\n").slice(-lines).join("\n");
}

/** A readable summary of a run for assertion messages. */
export function describeRun(run: ClaudeCodeRun): string {
  return [
    `exit ${String(run.exitCode)} in ${run.durationMs} ms, result: ${JSON.stringify(run.result?.result)}`,
    `mcp: ${JSON.stringify(run.mcpStatus)}`,
    `stderr tail:\n${tail(run.stderr)}`,
  ].join("\n");
}
