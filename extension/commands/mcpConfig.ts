/**
 * How "Connect Claude Code" registers the bundled MCP server: the launch line
 * for Claude Code's `.mcp.json` (written by mcp-server/setup's writeMcpJson,
 * the same code `switchboard-mcp setup-claude` uses) and a look at what the
 * file holds already. No vscode import.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  SERVER_KEY,
  type ServerLaunch,
} from "../../mcp-server/setup/registerClaude";
import type { Session } from "../contracts";
import { UserError } from "../util/errors";

/** What Claude Code needs to route its permission prompts to Switchboard. */
export const PERMISSION_PROMPT_FLAG = `--permission-prompt-tool mcp__${SERVER_KEY}__approval_prompt`;

/**
 * The runtime the extension host runs in (`process.execPath`,
 * `process.versions.electron`) and whether a `node` answers on the PATH.
 */
export type HostRuntime = {
  execPath: string;
  electron: string | undefined;
  nodeOnPath: boolean;
};

/**
 * Which node runs the server, and any environment it needs for that.
 *
 * `node` from the PATH comes first. Claude Code is itself a Node program
 * installed with npm, so wherever it runs a `node` is normally on its PATH,
 * and that name survives editor updates. `process.execPath` does not: in
 * desktop VS Code it is the editor's Electron binary (which runs a script as
 * node only with ELECTRON_RUN_AS_NODE=1), and in VS Code server hosts it is a
 * node inside a per-commit folder; both move when VS Code updates, so a config
 * naming them breaks silently later. They are the fallback when the PATH has
 * no node, which is better than a config that cannot start at all.
 */
export function nodeLaunch(runtime: HostRuntime): {
  command: string;
  env: Record<string, string>;
} {
  if (runtime.nodeOnPath) return { command: "node", env: {} };
  return runtime.electron === undefined
    ? { command: runtime.execPath, env: {} }
    : { command: runtime.execPath, env: { ELECTRON_RUN_AS_NODE: "1" } };
}

/** Whether `node --version` runs from the PATH this extension host sees (as Claude Code will). */
export async function probeNodeOnPath(): Promise<boolean> {
  try {
    await promisify(execFile)("node", ["--version"], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The server's environment: where the backend is, and the agent's token. */
export function backendEnv(session: Session): Record<string, string> {
  if (session.backend === "remote") {
    return {
      SWITCHBOARD_URL: session.url,
      SWITCHBOARD_SITE_URL: session.siteUrl,
    };
  }
  if (session.dataDir === undefined) {
    throw new UserError(
      "The local backend's data directory is unknown, so Claude Code could not find it.",
    );
  }
  // The data directory, not the URL: the local backend's ports can change between
  // runs, and the server reads the current ones from the directory's state file.
  return { SWITCHBOARD_DATA_DIR: session.dataDir };
}

export function serverLaunch(options: {
  session: Session;
  extensionPath: string;
  runtime: HostRuntime;
  token: string;
}): ServerLaunch {
  const node = nodeLaunch(options.runtime);
  return {
    command: node.command,
    args: [join(options.extensionPath, "dist", "mcp-server.js")],
    env: {
      ...node.env,
      ...backendEnv(options.session),
      SWITCHBOARD_TOKEN: options.token,
    },
  };
}

/**
 * What DIR/.mcp.json holds: checked before a token is minted, so that an
 * unreadable file or a declined overwrite costs no token.
 */
export type McpJsonState = "absent" | "withoutSwitchboard" | "withSwitchboard";

export function mcpJsonState(projectDir: string): McpJsonState {
  const path = join(projectDir, ".mcp.json");
  if (!existsSync(path)) return "absent";
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new UserError(`${path} is not valid JSON; fix or remove it first.`);
  }
  const servers =
    typeof config === "object" && config !== null && "mcpServers" in config
      ? config.mcpServers
      : undefined;
  return typeof servers === "object" &&
    servers !== null &&
    SERVER_KEY in servers
    ? "withSwitchboard"
    : "withoutSwitchboard";
}
