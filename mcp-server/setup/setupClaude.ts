/**
 * `switchboard-mcp setup-claude`: connects Claude Code in a project directory
 * to Switchboard in one step. Mints a fresh agent token (mintAgentToken.ts),
 * registers this server with Claude Code (registerClaude.ts), and prints how
 * to run Claude Code with Switchboard answering its permission prompts.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { configFromEnv, type BackendLocation } from "../config";
import { errorText } from "../errors";
import { mintAgentToken } from "./mintAgentToken";
import {
  defaultServerScript,
  findClaude,
  registerWithClaudeCli,
  SERVER_KEY,
  writeMcpJson,
  type ServerLaunch,
} from "./registerClaude";

export const PERMISSION_PROMPT_FLAG = `--permission-prompt-tool mcp__${SERVER_KEY}__approval_prompt`;

export const SETUP_USAGE = `usage: switchboard-mcp setup-claude [options]
  --project DIR        the project Claude Code runs in (default: the current directory)
  --agent NAME         the Switchboard agent to create or reuse (default: claude-code)
  --project-key KEY    the Switchboard project (default: the org's first)
  --scopes A,B         narrower token scopes than the agent's defaults
  --data-dir DIR       the local backend's data directory (default: $SWITCHBOARD_DATA_DIR or ~/.switchboard/local)
  --url URL            a deployment instead of the local backend (or $SWITCHBOARD_URL; --site-url / $SWITCHBOARD_SITE_URL)
  --claude PATH        the claude CLI to register with (default: claude on the PATH)
  --mcp-json           write DIR/.mcp.json even if the claude CLI is there
Credentials: $SWITCHBOARD_USER_TOKEN (a person's sbu_ token), else the local backend's owner token.
`;

export async function runSetupClaude(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    err(
      `${error instanceof Error ? error.message : String(error)}\n${SETUP_USAGE}`,
    );
    return 2;
  }
  if (values.help === true) {
    out(SETUP_USAGE);
    return 0;
  }
  const projectDir = resolve(values.project ?? process.cwd());
  if (!isDirectory(projectDir)) {
    err(`setup-claude: ${projectDir} is not a directory.`);
    return 2;
  }
  const config = configFromEnv({
    ...env,
    ...(values["data-dir"] === undefined
      ? {}
      : { SWITCHBOARD_DATA_DIR: resolve(values["data-dir"]) }),
    ...(values.url === undefined ? {} : { SWITCHBOARD_URL: values.url }),
    ...(values["site-url"] === undefined
      ? {}
      : { SWITCHBOARD_SITE_URL: values["site-url"] }),
  });
  try {
    const minted = await mintAgentToken({
      backend: config.backend,
      userToken: nonEmpty(env.SWITCHBOARD_USER_TOKEN),
      agentName: values.agent ?? "claude-code",
      projectKey: values["project-key"],
      scopes: values.scopes?.split(",").map((scope) => scope.trim()),
      timeoutMs: config.connectTimeoutMs,
    });
    const launch: ServerLaunch = {
      command: process.execPath,
      args: [values["server-script"] ?? defaultServerScript()],
      env: { ...backendEnv(config.backend), SWITCHBOARD_TOKEN: minted.secret },
    };
    const claude =
      values["mcp-json"] === true ? null : findClaude(values.claude);
    let registered: string;
    if (claude !== null) {
      registerWithClaudeCli(claude, projectDir, launch);
      registered = `with \`${claude} mcp add-json -s local ${SERVER_KEY}\` (private to you, for ${projectDir})`;
    } else {
      const written = writeMcpJson(projectDir, launch);
      registered = `in ${written.path} (mode 0600${written.excludedIn === null ? "; not a git repository" : `; ignored by git through ${written.excludedIn}`})`;
    }
    out(
      [
        `Switchboard is connected to Claude Code in ${projectDir}.`,
        `  backend:  ${minted.backend.url} (${minted.backend.where})`,
        `  project:  ${minted.project.key} (${minted.project.name}) in org ${minted.org.name}`,
        `  agent:    ${minted.agent.name} (${minted.agent.created ? "created" : "existing"}, ${minted.agent.id})`,
        `  token:    "${minted.label}" (${minted.tokenId}), scopes ${minted.scopes.join(", ")}; revoke it in Switchboard to cut access`,
        `  server:   registered as "${SERVER_KEY}" ${registered}`,
        "",
        "Run Claude Code there with Switchboard answering its permission prompts:",
        `  claude ${PERMISSION_PROMPT_FLAG}`,
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    err(
      `setup-claude: ${errorText(error).replace(/^Error \([A-Z_]+\): /, "")}`,
    );
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      project: { type: "string" },
      agent: { type: "string" },
      "project-key": { type: "string" },
      scopes: { type: "string" },
      "data-dir": { type: "string" },
      url: { type: "string" },
      "site-url": { type: "string" },
      claude: { type: "string" },
      "mcp-json": { type: "boolean" },
      "server-script": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** How the registered server finds the backend: the same way this command did. */
function backendEnv(backend: BackendLocation): Record<string, string> {
  return backend.kind === "url"
    ? { SWITCHBOARD_URL: backend.url, SWITCHBOARD_SITE_URL: backend.siteUrl }
    : { SWITCHBOARD_DATA_DIR: resolve(backend.dataDir) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
