/**
 * What each sandbox stage does on the runner's machine. Every stage reads what
 * it needs from the sandbox record and the environment and returns the facts
 * it learned (worktree path, container id), so a retry can start at any stage.
 * Failures are SandboxStageErrors: a message for the person and a log tail.
 */
import { join } from "node:path";
import { simpleGit } from "simple-git";
import type { Doc } from "../../convex/_generated/dataModel";
import type { SandboxStage } from "../../convex/validators";
import type { DevcontainerCli, SandboxTarget } from "./devcontainerCli";
import {
  checkDevcontainerConfigText,
  CONFIG_PATHS,
  loadDevcontainerConfig,
  SANDBOX_TOOLS_DIR,
  withSandboxAdditions,
  writeOverrideConfig,
} from "./devcontainerConfig";
import { containerLabel, dockerEngineCheck, execInContainer } from "./docker";
import { prepareWorktree } from "./git";
import { SandboxStageError } from "./stageError";

export type Sandbox = Doc<"sandboxes">;

/** The runner's machine, as every stage sees it. */
export type SandboxEnvironment = {
  /** Absolute path of the repository this runner serves. */
  repository: string;
  /** Worktrees go to `<worktreeRoot>/<task-key>`. */
  worktreeRoot: string;
  /** Per-sandbox files outside the worktree (the override devcontainer.json). */
  stateDir: string;
  /** The directory with switchboard-mcp's bundle, mounted read-only in the container. */
  toolsDir: string;
  /** The deployment as the container reaches it. */
  backendUrl: string;
  siteUrl: string;
  /** Run the container on the host's network (a local backend on 127.0.0.1). */
  hostNetwork: boolean;
  /** DOCKER_HOST of the engine sandboxes run on; undefined = the local default. */
  dockerHost: string | undefined;
  devcontainer: DevcontainerCli;
  /** Install Claude Code in the container (npm install -g) during MCP setup. */
  installClaudeCode: boolean;
};

export type StageFacts = {
  worktreePath?: string;
  containerId?: string;
  remoteUser?: string;
  branchCreated?: boolean;
};

export type StageRun = {
  sandbox: Sandbox;
  env: SandboxEnvironment;
  onLog: (line: string) => void;
  /** The dev container CLI's handle on this sandbox, written once per run (see writeTarget). */
  target: () => Promise<SandboxTarget>;
  /** Mints the sandbox's own agent token; returns the secret. */
  issueToken: () => Promise<string>;
};

/** Where the token lives inside the container, under the remote user's home. */
const TOKEN_FILE = "$HOME/.switchboard/token";

export const STAGE_RUNNERS: Readonly<
  Record<SandboxStage, (run: StageRun) => Promise<StageFacts>>
> = {
  worktree: async ({ sandbox, env }) => {
    // What can fail without side effects is checked before the worktree is
    // made, so such a failure leaves the repository exactly as it was.
    await dockerEngineCheck(env.dockerHost);
    await checkConfigAt(
      env.repository,
      sandbox.branchCreated ? sandbox.branch : sandbox.baseBranch,
    );
    const worktreePath = worktreePathOf(sandbox, env);
    const prepared = await prepareWorktree({
      repository: env.repository,
      baseBranch: sandbox.baseBranch,
      branch: sandbox.branch,
      worktreePath,
      ownedBranch: sandbox.branchCreated,
    });
    return {
      worktreePath,
      branchCreated: sandbox.branchCreated || prepared.createdBranch,
    };
  },

  container: async (run) => {
    await dockerEngineCheck(run.env.dockerHost);
    const { containerId, remoteUser } = await run.env.devcontainer.up(
      await run.target(),
      {
        // Lifecycle commands run in the dependency stage, where they are timed.
        skipPostCreate: true,
        onLog: run.onLog,
      },
    );
    return { containerId, remoteUser };
  },

  configuration: async (run) => {
    const token = await run.issueToken();
    // The token goes in on stdin to a 0600 file: never in an argument list,
    // the container's environment or `docker inspect`. (Git's safe.directory
    // for the worktree is in the container's environment: devcontainerConfig.ts.)
    await execOk(
      run,
      [
        "sh",
        "-c",
        `umask 077 && mkdir -p "$HOME/.switchboard" && cat > "${TOKEN_FILE}"`,
      ],
      "store the sandbox token",
      token,
    );
    return {};
  },

  dependencies: async (run) => {
    // `devcontainer up` records the merged configuration (devcontainer.json,
    // the image's and its features' metadata) on the container; without a
    // lifecycle command in it there is nothing to run, and the CLI's own
    // start-up (~0.5 s) is saved.
    const { containerId } = run.sandbox;
    if (
      containerId !== undefined &&
      !declaresLifecycleCommands(
        await containerLabel(
          containerId,
          "devcontainer.metadata",
          run.env.dockerHost,
        ),
      )
    ) {
      run.onLog("No lifecycle commands in the dev container's configuration.");
      return {};
    }
    await run.env.devcontainer.runUserCommands(await run.target(), {
      onLog: run.onLog,
    });
    return {};
  },

  mcp: async (run) => {
    if (run.env.installClaudeCode) {
      await execOk(
        run,
        ["npm", "install", "-g", "@anthropic-ai/claude-code"],
        "install Claude Code",
      );
    }
    const result = await exec(run, [
      "node",
      "-e",
      CLAUDE_CONFIG_SCRIPT,
      JSON.stringify(mcpServerEntry(run.env)),
    ]);
    if (
      result.exitCode === 126 ||
      result.exitCode === 127 ||
      result.exitCode === NODE_TOO_OLD
    ) {
      throw new SandboxStageError(
        'The container has no Node.js 18 or later, which switchboard-mcp and Claude Code need. Add Node to the image, e.g. the "ghcr.io/devcontainers/features/node" feature in devcontainer.json, and retry.',
        `${result.stdout}\n${result.stderr}`.trim(),
      );
    }
    if (result.exitCode !== 0) {
      throw new SandboxStageError(
        `Could not write Claude Code's MCP configuration in the container (exit code ${result.exitCode}).`,
        `${result.stdout}\n${result.stderr}`.trim(),
      );
    }
    return {};
  },

  health: async (run) => {
    const worktree = worktreePathOf(run.sandbox, run.env);
    // One round trip: the worktree is the sandbox's branch, then the same check
    // switchboard-mcp's users run (backend reachable, token accepted).
    await execOk(
      run,
      ["sh", "-c", HEALTH_SCRIPT, "health", worktree, run.sandbox.branch],
      "check the worktree and reach the control plane from inside the container",
    );
    return {};
  },
};

const LIFECYCLE_COMMANDS = [
  "onCreateCommand",
  "updateContentCommand",
  "postCreateCommand",
  "postStartCommand",
  "postAttachCommand",
];

/** Whether the `devcontainer.metadata` label names any lifecycle command (unreadable: assume so). */
export function declaresLifecycleCommands(metadata: string): boolean {
  let entries: unknown;
  try {
    entries = JSON.parse(metadata);
  } catch {
    return true;
  }
  const list = Array.isArray(entries) ? entries : [entries];
  return list.some(
    (entry) =>
      typeof entry !== "object" ||
      entry === null ||
      LIFECYCLE_COMMANDS.some((key) => key in entry),
  );
}

const HEALTH_SCRIPT = `
head=$(git -C "$1" rev-parse --abbrev-ref HEAD) || exit 1
if [ "$head" != "$2" ]; then echo "$1 is on $head, not $2" >&2; exit 1; fi
SWITCHBOARD_TOKEN_FILE="${TOKEN_FILE}" exec node ${SANDBOX_TOOLS_DIR}/mcp-server.js check
`;

export function worktreePathOf(
  sandbox: Sandbox,
  env: SandboxEnvironment,
): string {
  return sandbox.worktreePath ?? join(env.worktreeRoot, sandbox.taskKey);
}

/** The dev container CLI's handle on this sandbox (the override config rewritten each time). */
export async function writeTarget({
  sandbox,
  env,
}: Pick<StageRun, "sandbox" | "env">): Promise<SandboxTarget> {
  const worktreePath = worktreePathOf(sandbox, env);
  const loaded = await loadDevcontainerConfig(worktreePath);
  const config = withSandboxAdditions(loaded.config, {
    sandboxId: sandbox._id,
    worktreePath,
    gitCommonDir: await gitCommonDir(env.repository),
    backendUrl: env.backendUrl,
    siteUrl: env.siteUrl,
    hostNetwork: env.hostNetwork,
    toolsDir: env.toolsDir,
  });
  const overrideConfigPath = await writeOverrideConfig(
    config,
    join(env.stateDir, sandbox._id),
  );
  return {
    workspaceFolder: worktreePath,
    overrideConfigPath,
    sandboxId: sandbox._id,
    dockerHost: env.dockerHost,
  };
}

/** The repository's devcontainer.json as committed on `ref`, checked (a missing one is fine). */
async function checkConfigAt(repository: string, ref: string): Promise<void> {
  for (const path of CONFIG_PATHS) {
    let text: string;
    try {
      text = await simpleGit(repository).show([`${ref}:${path}`]);
    } catch {
      // Not on that ref (or no such ref: the worktree step says so clearly).
      continue;
    }
    checkDevcontainerConfigText(`${path} on ${ref}`, text);
    return;
  }
}

async function gitCommonDir(repository: string): Promise<string> {
  const dir = await simpleGit(repository).revparse([
    "--path-format=absolute",
    "--git-common-dir",
  ]);
  return dir.trim();
}

async function exec(run: StageRun, command: string[], stdin?: string) {
  const { containerId, remoteUser } = run.sandbox;
  if (containerId === undefined) {
    return await run.env.devcontainer.exec(await run.target(), command, {
      stdin,
      onLog: run.onLog,
    });
  }
  return await execInContainer(containerId, command, {
    user: remoteUser,
    workdir: worktreePathOf(run.sandbox, run.env),
    stdin,
    dockerHost: run.env.dockerHost,
  });
}

async function execOk(
  run: StageRun,
  command: string[],
  what: string,
  stdin?: string,
): Promise<string> {
  const result = await exec(run, command, stdin);
  if (result.exitCode !== 0) {
    throw new SandboxStageError(
      `Could not ${what} in the container (exit code ${result.exitCode}).`,
      `${result.stdout}\n${result.stderr}`.trim(),
    );
  }
  return result.stdout;
}

/** Claude Code's user-scope MCP server entry for switchboard-mcp inside the container. */
function mcpServerEntry(env: SandboxEnvironment) {
  return {
    type: "stdio",
    command: "node",
    args: [`${SANDBOX_TOOLS_DIR}/mcp-server.js`],
    env: {
      SWITCHBOARD_URL: env.backendUrl,
      SWITCHBOARD_SITE_URL: env.siteUrl,
      // Resolved in the container by the script below.
      SWITCHBOARD_TOKEN_FILE: TOKEN_FILE,
    },
  };
}

/**
 * Merges the entry into ~/.claude.json (Claude Code's user-scope settings)
 * under mcpServers.switchboard, keeping everything else in the file.
 */
const NODE_TOO_OLD = 3;

const CLAUDE_CONFIG_SCRIPT = `
if (Number(process.versions.node.split(".")[0]) < 18) process.exit(${NODE_TOO_OLD});
const fs = require("fs"), path = require("path"), os = require("os");
const file = path.join(os.homedir(), ".claude.json");
const entry = JSON.parse(process.argv[1]);
entry.env.SWITCHBOARD_TOKEN_FILE = path.join(os.homedir(), ".switchboard", "token");
let settings = {};
try { settings = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
settings.mcpServers = { ...(settings.mcpServers || {}), switchboard: entry };
fs.writeFileSync(file, JSON.stringify(settings, null, 2), { mode: 0o600 });
`;
