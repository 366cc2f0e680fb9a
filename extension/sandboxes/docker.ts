/**
 * The few Docker engine operations the sandbox lifecycle needs beyond the dev
 * container CLI: is there an engine, what state is a container in, stop, start,
 * remove, and find containers by label. Plain `docker` CLI calls, so they honour
 * the same DOCKER_HOST and contexts as the person's own shell. No vscode import.
 */
import { execFile } from "node:child_process";
import { SandboxStageError, firstLine, tailText } from "./stageError";

export type ContainerState = "running" | "stopped" | "missing";

type DockerResult = {
  ok: boolean;
  exitCode: number;
  stdout: string;
  /** What docker wrote to stderr, or the failure's message when it wrote nothing. */
  stderr: string;
  /** stderr exactly as written (a command's own output in `docker exec`). */
  rawStderr: string;
};

const DEFAULT_SOCKET = "unix:///var/run/docker.sock";

const NOT_INSTALLED =
  "The docker command is not installed (or not on PATH). Install Docker, or add it to PATH, and retry.";

/** The one way the `docker` CLI is run here: DOCKER_HOST when given, stdin piped when given. */
function docker(
  args: string[],
  dockerHost?: string,
  options: { timeoutMs?: number; stdin?: string } = {},
): Promise<DockerResult> {
  const env =
    dockerHost === undefined
      ? process.env
      : { ...process.env, DOCKER_HOST: dockerHost };
  return new Promise((resolve, reject) => {
    const child = execFile(
      "docker",
      args,
      {
        env,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (code === "ENOENT") {
          reject(new SandboxStageError(NOT_INSTALLED));
          return;
        }
        resolve({
          ok: error === null,
          exitCode: error === null ? 0 : typeof code === "number" ? code : 1,
          stdout,
          stderr: stderr || (error?.message ?? ""),
          rawStderr: stderr,
        });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

function engineName(dockerHost?: string): string {
  return dockerHost ?? process.env.DOCKER_HOST ?? DEFAULT_SOCKET;
}

/** Throws a SandboxStageError unless a Docker engine answers. */
export async function dockerEngineCheck(dockerHost?: string): Promise<void> {
  // An unreachable TCP host can hang for a long time; an engine answers in well under a second.
  const result = await docker(
    ["version", "--format", "{{.Server.Version}}"],
    dockerHost,
    { timeoutMs: 15_000 },
  );
  if (result.ok && result.stdout.trim() !== "") return;
  throw new SandboxStageError(
    `No Docker engine at ${engineName(dockerHost)}: ${firstLine(result.stderr) || "no answer"}. Start Docker (or check DOCKER_HOST) and retry.`,
    tailText(result.stderr),
  );
}

function isMissing(stderr: string): boolean {
  return /no such (container|object)/i.test(stderr);
}

function failure(
  action: string,
  id: string,
  result: DockerResult,
): SandboxStageError {
  return new SandboxStageError(
    `Could not ${action} container ${id.slice(0, 12)}: ${firstLine(result.stderr)}. Check that the Docker engine is running and retry.`,
    tailText(result.stderr),
  );
}

export async function containerState(
  id: string,
  dockerHost?: string,
): Promise<ContainerState> {
  const result = await docker(
    ["inspect", "--type", "container", "--format", "{{.State.Status}}", id],
    dockerHost,
  );
  if (!result.ok) {
    if (isMissing(result.stderr)) return "missing";
    throw failure("inspect", id, result);
  }
  // created, exited, paused, dead: none is running the agent.
  const status = result.stdout.trim();
  return status === "running" || status === "restarting"
    ? "running"
    : "stopped";
}

/**
 * The container's name as Docker reports it, with its leading "/" (the form the
 * Dev Containers extension's attached-container URIs use).
 */
export async function containerName(
  id: string,
  dockerHost?: string,
): Promise<string> {
  const result = await docker(
    ["inspect", "--type", "container", "--format", "{{.Name}}", id],
    dockerHost,
  );
  if (!result.ok) throw failure("inspect", id, result);
  return result.stdout.trim();
}

/** Stops the container; a missing container is already as stopped as it gets. */
export async function stopContainer(
  id: string,
  dockerHost?: string,
): Promise<void> {
  const result = await docker(["stop", id], dockerHost);
  if (!result.ok && !isMissing(result.stderr))
    throw failure("stop", id, result);
}

export async function startContainer(
  id: string,
  dockerHost?: string,
): Promise<void> {
  const result = await docker(["start", id], dockerHost);
  if (!result.ok) throw failure("start", id, result);
}

/** Removes the container, running or not; a missing one is fine. */
export async function removeContainer(
  id: string,
  dockerHost?: string,
): Promise<void> {
  const result = await docker(["rm", "-f", id], dockerHost);
  if (!result.ok && !isMissing(result.stderr))
    throw failure("remove", id, result);
}

/** Full ids of all containers (running or not) carrying `label` ("key" or "key=value"). */
export async function containersWithLabel(
  label: string,
  dockerHost?: string,
): Promise<string[]> {
  const result = await docker(
    ["ps", "--all", "--quiet", "--no-trunc", "--filter", `label=${label}`],
    dockerHost,
  );
  if (!result.ok) {
    throw new SandboxStageError(
      `Could not list containers labelled ${label}: ${firstLine(result.stderr)}. Check that the Docker engine is running and retry.`,
      tailText(result.stderr),
    );
  }
  return result.stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export type ContainerExec = {
  user?: string;
  workdir?: string;
  stdin?: string;
  dockerHost?: string;
};

/**
 * `docker exec -i` with stdin piped in. The sandbox's own setup commands use
 * this instead of `devcontainer exec`, which re-resolves the whole dev
 * container configuration on every call (~0.5 s each here, against ~0.1 s).
 */
export async function execInContainer(
  id: string,
  command: string[],
  options: ContainerExec = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const args = ["exec", "-i"];
  if (options.user !== undefined) args.push("-u", options.user);
  if (options.workdir !== undefined) args.push("-w", options.workdir);
  const result = await docker([...args, id, ...command], options.dockerHost, {
    timeoutMs: 600_000,
    stdin: options.stdin ?? "",
  });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.rawStderr,
  };
}

/** A label of a container ("" when it has none). */
export async function containerLabel(
  id: string,
  label: string,
  dockerHost?: string,
): Promise<string> {
  const result = await docker(
    [
      "inspect",
      "--type",
      "container",
      "--format",
      `{{ index .Config.Labels ${JSON.stringify(label)} }}`,
      id,
    ],
    dockerHost,
  );
  if (!result.ok) throw failure("inspect", id, result);
  return result.stdout.trim();
}
