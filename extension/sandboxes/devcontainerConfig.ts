/**
 * The dev container definition of a sandbox: the repository's own
 * devcontainer.json when it has one (so the agent works in the same toolchain as
 * the people), else a plain default image; then our additions (the worktree and
 * git mounts, Switchboard's tools, its URLs) on a copy, written as an override
 * file outside the worktree so the task's checkout stays clean. No vscode import.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { SandboxStageError } from "./stageError";

export type DevcontainerConfig = Record<string, unknown>;

export type LoadedDevcontainerConfig = {
  source: "repository" | "default";
  path?: string;
  config: DevcontainerConfig;
};

export type SandboxAdditions = {
  sandboxId: string;
  worktreePath: string;
  gitCommonDir: string;
  backendUrl: string;
  siteUrl: string;
  hostNetwork: boolean;
  toolsDir: string;
};

/** Where Switchboard's own tools (the MCP server bundle) appear inside every sandbox. */
export const SANDBOX_TOOLS_DIR = "/opt/switchboard";

/** The image used when the repository has no devcontainer.json, as of loading this module. */
export const DEFAULT_SANDBOX_IMAGE = defaultSandboxImage();

/** Read on each call so a changed SWITCHBOARD_SANDBOX_IMAGE applies without a reload. */
export function defaultSandboxImage(): string {
  return (
    process.env.SWITCHBOARD_SANDBOX_IMAGE ?? "switchboard-sandbox:bookworm"
  );
}

/** The places the dev container spec looks, in its order. */
export const CONFIG_PATHS = [
  // Forward slashes: these also name files in git (`git show ref:path`).
  ".devcontainer/devcontainer.json",
  ".devcontainer.json",
];

export async function loadDevcontainerConfig(
  worktreePath: string,
): Promise<LoadedDevcontainerConfig> {
  for (const relative of CONFIG_PATHS) {
    const path = join(worktreePath, relative);
    const text = await readFile(path, "utf8").catch(
      (error: NodeJS.ErrnoException) => {
        // ENOTDIR: a file named .devcontainer, so no config inside it.
        if (error.code === "ENOENT" || error.code === "ENOTDIR")
          return undefined;
        throw new SandboxStageError(`Could not read ${path}: ${error.message}`);
      },
    );
    if (text === undefined) continue;
    return { source: "repository", path, config: checkedConfig(path, text) };
  }
  return {
    source: "default",
    config: { name: "Switchboard sandbox", image: defaultSandboxImage() },
  };
}

/**
 * Checks a devcontainer.json's text as the loader would; `path` names it in
 * errors (e.g. ".devcontainer/devcontainer.json on main"). Used before any
 * worktree exists, on the text at the base branch.
 */
export function checkDevcontainerConfigText(path: string, text: string): void {
  checkedConfig(path, text);
}

function checkedConfig(path: string, text: string): DevcontainerConfig {
  const errors: ParseError[] = [];
  // Comments and trailing commas are allowed: devcontainer.json is JSONC.
  const value: unknown = parse(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new SandboxStageError(
      `${path} line ${line}, column ${column}: ${inWords(printParseErrorCode(first.error))}. Fix the file and retry.`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SandboxStageError(
      `${path} must contain a JSON object. Fix the file and retry.`,
    );
  }
  const config = value as DevcontainerConfig;
  if ("dockerComposeFile" in config) {
    throw new SandboxStageError(
      `${path} uses dockerComposeFile; Docker Compose dev containers are not supported for sandboxes yet. Use "image" or "build" instead.`,
    );
  }
  if (
    !("image" in config) &&
    !("build" in config) &&
    !("dockerFile" in config)
  ) {
    throw new SandboxStageError(
      `${path} has neither "image" nor "build", so there is nothing to start. Add one and retry.`,
    );
  }
  return withAbsoluteBuildPaths(config, dirname(path));
}

/**
 * Relative Dockerfile and context paths are relative to the devcontainer.json.
 * The sandbox runs from an override file elsewhere, so pin them to absolute
 * paths now (the CLI accepts absolute ones; verified).
 */
function withAbsoluteBuildPaths(
  config: DevcontainerConfig,
  configDir: string,
): DevcontainerConfig {
  const absolute = (value: unknown): unknown =>
    typeof value === "string" && !isAbsolute(value)
      ? resolve(configDir, value)
      : value;
  const result: DevcontainerConfig = { ...config };
  if ("dockerFile" in result) result.dockerFile = absolute(result.dockerFile);
  if ("dockerFile" in result && "context" in result)
    result.context = absolute(result.context);
  const build = result.build;
  if (typeof build === "object" && build !== null && !Array.isArray(build)) {
    const copy: Record<string, unknown> = {
      ...(build as Record<string, unknown>),
    };
    if ("dockerfile" in copy) copy.dockerfile = absolute(copy.dockerfile);
    if ("context" in copy) copy.context = absolute(copy.context);
    result.build = copy;
  }
  return result;
}

function lineAndColumn(
  text: string,
  offset: number,
): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return {
    line: before.length,
    column: (before[before.length - 1]?.length ?? 0) + 1,
  };
}

/** "CloseBraceExpected" -> "close brace expected". */
function inWords(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/**
 * A copy of `config` set up as a sandbox. The agent's token is deliberately not
 * here: containerEnv ends up in `docker inspect`, readable by anyone with Docker
 * access. The caller hands the token over at exec time instead.
 */
export function withSandboxAdditions(
  config: DevcontainerConfig,
  additions: SandboxAdditions,
): DevcontainerConfig {
  const { worktreePath, gitCommonDir, toolsDir } = additions;
  for (const path of [worktreePath, gitCommonDir, toolsDir]) {
    // The mount strings are comma-separated key=value lists.
    if (path.includes(",")) {
      throw new SandboxStageError(
        `Sandbox paths cannot contain a comma: ${path}`,
      );
    }
  }
  const ours = [
    `source=${gitCommonDir},target=${gitCommonDir},type=bind`,
    `source=${toolsDir},target=${SANDBOX_TOOLS_DIR},type=bind,readonly`,
  ];
  const ourTargets = new Set([gitCommonDir, SANDBOX_TOOLS_DIR, worktreePath]);
  // Two mounts on one target make Docker refuse the container; ours win.
  const theirs = arrayOf(config.mounts).filter((mount) => {
    const target = mountTarget(mount);
    return target === undefined || !ourTargets.has(target);
  });
  const runArgs = arrayOf(config.runArgs);
  const hasNetwork = runArgs.some(
    (arg) => typeof arg === "string" && arg.startsWith("--net"),
  );
  const env = config.containerEnv;
  const theirEnv: Record<string, unknown> =
    typeof env === "object" && env !== null && !Array.isArray(env)
      ? (env as Record<string, unknown>)
      : {};
  return {
    ...config,
    // The same absolute path inside and out: the worktree's .git file and the
    // common dir name each other by absolute path.
    workspaceMount: `source=${worktreePath},target=${worktreePath},type=bind`,
    workspaceFolder: worktreePath,
    mounts: [...theirs, ...ours],
    containerEnv: {
      ...theirEnv,
      ...safeDirectories(theirEnv, [worktreePath, gitCommonDir]),
      SWITCHBOARD_URL: additions.backendUrl,
      SWITCHBOARD_SITE_URL: additions.siteUrl,
      SWITCHBOARD_SANDBOX_ID: additions.sandboxId,
    },
    runArgs:
      additions.hostNetwork && !hasNetwork
        ? [...runArgs, "--network=host"]
        : runArgs,
  };
}

/**
 * Git refuses a repository owned by another user ("dubious ownership"): a host
 * user's files seen by the container's root, say. Mark our two paths safe with
 * command-line-scope config from the environment (GIT_CONFIG_COUNT, git 2.31+),
 * after any entries the repository's own containerEnv already numbers.
 */
function safeDirectories(
  env: Record<string, unknown>,
  paths: string[],
): Record<string, string> {
  const existing = Number(env.GIT_CONFIG_COUNT ?? 0);
  const first = Number.isInteger(existing) && existing > 0 ? existing : 0;
  const result: Record<string, string> = {
    GIT_CONFIG_COUNT: String(first + paths.length),
  };
  paths.forEach((path, i) => {
    result[`GIT_CONFIG_KEY_${first + i}`] = "safe.directory";
    result[`GIT_CONFIG_VALUE_${first + i}`] = path;
  });
  return result;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? [...(value as unknown[])] : [];
}

/** A mount's target, from the string form (target=, dst=, destination=) or the object form. */
function mountTarget(mount: unknown): string | undefined {
  if (typeof mount === "string") {
    for (const part of mount.split(",")) {
      const [key, value] = part.split("=", 2);
      if (
        key !== undefined &&
        ["target", "dst", "destination"].includes(key.trim())
      ) {
        return value?.trim();
      }
    }
    return undefined;
  }
  if (typeof mount === "object" && mount !== null && "target" in mount) {
    const target = mount.target;
    return typeof target === "string" ? target : undefined;
  }
  return undefined;
}

/** Writes `dir/devcontainer.json` (only the user may read it) and returns its path. */
export async function writeOverrideConfig(
  config: DevcontainerConfig,
  dir: string,
): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, "devcontainer.json");
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
  // The mode above only applies to a new file.
  await chmod(path, 0o600);
  return path;
}
