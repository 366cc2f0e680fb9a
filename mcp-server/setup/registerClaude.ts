/**
 * The Claude Code half of `setup-claude`: registers this server for one
 * project directory, either with the `claude` CLI (`claude mcp add-json -s
 * local`, fed on stdin so the secret never appears in a process list) or, when
 * there is no CLI, in the directory's `.mcp.json` (mode 0600), which is then
 * added to git's info/exclude so the secret is not committed.
 */
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";

export const SERVER_KEY = "switchboard";

export type ServerLaunch = {
  command: string;
  args: string[];
  env: Record<string, string>;
};

/** The bundled server to register: this file when bundled, else dist/ in the source tree. */
export function defaultServerScript(): string {
  const invoked = process.argv[1];
  if (invoked !== undefined && invoked.endsWith(".js")) {
    return realpathSync(resolve(invoked));
  }
  return resolve(__dirname, "..", "..", "dist", "mcp-server.js");
}

/** A runnable `claude` CLI: the one named, else `claude` on the PATH; null if none. */
export function findClaude(explicit: string | undefined): string | null {
  const candidate = explicit ?? "claude";
  const probe = spawnSync(candidate, ["--version"], {
    stdio: "ignore",
    timeout: 30_000,
  });
  return probe.status === 0 ? candidate : null;
}

export function registerWithClaudeCli(
  claude: string,
  projectDir: string,
  launch: ServerLaunch,
): void {
  // Re-running setup replaces the old registration (and its old token).
  spawnSync(claude, ["mcp", "remove", SERVER_KEY, "-s", "local"], {
    cwd: projectDir,
    stdio: "ignore",
    timeout: 30_000,
  });
  const added = spawnSync(
    claude,
    ["mcp", "add-json", "-s", "local", SERVER_KEY, "-"],
    {
      cwd: projectDir,
      input: JSON.stringify({ type: "stdio", ...launch }),
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  if (added.status !== 0) {
    throw new Error(
      `claude mcp add-json failed (exit ${added.status ?? added.signal}): ${added.stderr.trim()}`,
    );
  }
}

/** Writes (or updates) DIR/.mcp.json; returns the git exclude file it was added to, if any. */
export function writeMcpJson(
  projectDir: string,
  launch: ServerLaunch,
): { path: string; excludedIn: string | null } {
  const path = join(projectDir, ".mcp.json");
  let config: { mcpServers?: Record<string, unknown> } = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(readFileSync(path, "utf8")) as typeof config;
    } catch {
      throw new Error(`${path} is not valid JSON; fix or remove it first.`);
    }
  }
  config.mcpServers = {
    ...config.mcpServers,
    [SERVER_KEY]: { type: "stdio", ...launch },
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { path, excludedIn: excludeFromGit(projectDir, ".mcp.json") };
}

/** Adds `name` (in `dir`) to the repository's info/exclude; null if `dir` is not in a git repo. */
function excludeFromGit(dir: string, name: string): string | null {
  const git = (...args: string[]) =>
    spawnSync("git", args, { cwd: dir, encoding: "utf8", timeout: 10_000 });
  const excludePath = git("rev-parse", "--git-path", "info/exclude");
  const prefix = git("rev-parse", "--show-prefix");
  let file: string;
  let pattern: string;
  if (excludePath.status === 0 && prefix.status === 0) {
    file = resolve(dir, excludePath.stdout.trim());
    pattern = `/${prefix.stdout.trim()}${name}`;
  } else if (existsSync(join(dir, ".git", "HEAD"))) {
    // No git binary, but a repository: its own exclude file.
    file = join(dir, ".git", "info", "exclude");
    pattern = `/${name}`;
  } else {
    return null;
  }
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (!current.split(/\r?\n/).includes(pattern)) {
    mkdirSync(dirname(file), { recursive: true });
    const separator = current === "" || current.endsWith("\n") ? "" : "\n";
    appendFileSync(
      file,
      `${separator}# switchboard-mcp setup-claude: holds an agent token\n${pattern}\n`,
    );
  }
  return file;
}
