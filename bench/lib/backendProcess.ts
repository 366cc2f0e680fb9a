/**
 * The local backend as its own process, started through its CLI (`serve`), so the
 * benchmark's clients and the server do not share an event loop: the realistic setup.
 * It runs bundled by esbuild with the options of scripts/build.mjs, as users run
 * dist/local-backend.js (a private copy, so a concurrent `npm run build` cannot change
 * it mid-run), not under tsx, whose loader would be measured too.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "./bundle";
import { sleep } from "./stats";
import {
  makeTempDir,
  processCpuMs,
  spawnNode,
  tail,
  waitForExit,
} from "./processes";

export type BackendProcess = {
  url: string;
  siteUrl: string;
  dataDir: string;
  pid: number;
  /** CPU ms the backend process has used so far. */
  cpuMs: () => number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its data directory. */
  stop: () => Promise<void>;
};

type State = { pid: number; url: string; siteUrl: string };

const START_TIMEOUT_MS = 60_000;

export async function startBackend(options: {
  functionsDir: string;
  /** When set, the backend runs under `node --cpu-prof` writing into this directory. */
  cpuProfDir?: string;
}): Promise<BackendProcess> {
  const bundled = await bundle(
    "backend",
    {
      "local-backend": "local-backend/main.ts",
    },
    ["esbuild", "node-sqlite3-wasm"],
  );
  const data = makeTempDir("sb-bench-data-");
  const nodeFlags =
    options.cpuProfDir === undefined
      ? []
      : ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir];
  const child = spawnNode(
    [
      ...nodeFlags,
      bundled.file("local-backend"),
      "serve",
      "--data-dir",
      data.path,
      "--functions",
      options.functionsDir,
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--site-port",
      "0",
    ],
    { stdout: "ignore" },
  );
  const stderr = tail(child.stderr);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if ((await waitForExit(child, 15_000)) === null) {
        child.kill("SIGKILL");
        await waitForExit(child, 5_000);
      }
    }
    data.remove();
    bundled.remove();
  };
  try {
    const state = await waitForState(
      join(data.path, "state.json"),
      child.pid ?? -1,
      () => child.exitCode !== null || child.signalCode !== null,
    );
    const pid = state.pid;
    return {
      url: state.url,
      siteUrl: state.siteUrl,
      dataDir: data.path,
      pid,
      cpuMs: () => processCpuMs(pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\nbackend stderr:\n${stderr()}`,
    );
  }
}

async function waitForState(
  path: string,
  pid: number,
  exited: () => boolean,
): Promise<State> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error("The backend exited during startup.");
    if (existsSync(path)) {
      try {
        const state = JSON.parse(readFileSync(path, "utf8")) as Partial<State>;
        if (state.pid === pid && typeof state.url === "string")
          return { pid, url: state.url, siteUrl: state.siteUrl ?? "" };
      } catch {
        // Written atomically, but be lenient: read it again shortly.
      }
    }
    await sleep(50);
  }
  throw new Error(
    `The backend did not write ${path} within ${START_TIMEOUT_MS} ms.`,
  );
}
