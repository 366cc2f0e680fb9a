/**
 * "Seed Demo Data" on the local backend: runs `switchboard-backend seed` (it calls
 * convex/demo.ts `seed` with the data directory's admin key, which never leaves
 * that process) and reads its one line of JSON.
 */
import { spawn } from "node:child_process";
import { errorMessage } from "../util/errors";
import { LineTail } from "../util/lineTail";
import type { BackendCommand } from "./localBackend";

export interface SeedResult {
  readonly projectId: string;
  readonly tasks: number;
}

export async function runSeed(
  command: BackendCommand,
  dataDir: string,
  timeoutMs = 60_000,
): Promise<SeedResult> {
  const child = spawn(
    command.file,
    [...command.args, "seed", "--data-dir", dataDir],
    {
      env: command.env ?? process.env,
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    },
  );
  let stdout = "";
  const stderr = new LineTail(10);
  child.stdout.on(
    "data",
    (chunk: Buffer) => (stdout += chunk.toString("utf8")),
  );
  child.stderr.on("data", (chunk: Buffer) =>
    stderr.push(chunk.toString("utf8")),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (error) =>
      reject(
        new Error(`Could not run the seed command: ${errorMessage(error)}`),
      ),
    );
    child.once("close", (exitCode) => resolve(exitCode));
  }).finally(() => clearTimeout(timer));
  if (code !== 0) {
    // The CLI prints "switchboard-backend: <message>" on failure; that line is the reason.
    const reason = stderr.lines().at(-1) ?? `exit code ${code}`;
    throw new Error(reason.replace(/^switchboard-backend: /, ""));
  }
  return parseSeedOutput(stdout);
}

export function parseSeedOutput(stdout: string): SeedResult {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(
      `Unexpected output from the seed command: ${line.slice(0, 200)}`,
    );
  }
  if (
    typeof value === "object" &&
    value !== null &&
    "projectId" in value &&
    "tasks" in value &&
    typeof value.projectId === "string" &&
    typeof value.tasks === "number"
  ) {
    return { projectId: value.projectId, tasks: value.tasks };
  }
  throw new Error(
    `Unexpected output from the seed command: ${line.slice(0, 200)}`,
  );
}
