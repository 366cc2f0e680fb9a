/**
 * `switchboard-backend serve`: one backend per data directory. Loads the
 * functions, opens the store, listens, and writes the state file other
 * processes (the extension, switchboard-mcp) discover it by.
 */
import { watch } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { databasePath, readConfig, writeConfig } from "../dataDir";
import { acquireDataDir, removeState, writeState } from "../discovery";
import { LocalEngine } from "../engine/engine";
import { openStore } from "../engine/store";
import { startServers } from "../server/listen";
import { ensureBootstrapped, ensureSigningKey } from "../switchboardApp";

export type ServeOptions = {
  dataDir: string;
  functionsDir: string;
  /** Whether functionsDir is Switchboard's own convex/ (first-start provisioning applies). */
  isSwitchboardApp: boolean;
  host: string;
  port: number;
  sitePort: number;
  watch: boolean;
};

export type RunningBackend = {
  url: string;
  siteUrl: string;
  close(): Promise<void>;
};

/** A free port now, when asked for port 0: CONVEX_SITE_URL must be known before functions load. */
async function resolvePort(host: string, port: number): Promise<number> {
  if (port !== 0) return port;
  return await new Promise<number>((resolvePromise, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        resolvePromise(
          typeof address === "object" && address !== null ? address.port : 0,
        ),
      );
    });
  });
}

export async function serve(options: ServeOptions): Promise<RunningBackend> {
  const dataDir = resolve(options.dataDir);
  const lock = acquireDataDir(dataDir);
  try {
    const config = readConfig(dataDir);
    if (options.isSwitchboardApp && (await ensureSigningKey(config)))
      writeConfig(dataDir, config);
    const port = await resolvePort(options.host, options.port);
    const sitePort = await resolvePort(options.host, options.sitePort);
    const url = `http://${options.host}:${port}`;
    const siteUrl = `http://${options.host}:${sitePort}`;
    const store = openStore(databasePath(dataDir));
    const engine = await LocalEngine.open({
      convexDir: options.functionsDir,
      store,
      env: { ...config.env, CONVEX_CLOUD_URL: url, CONVEX_SITE_URL: siteUrl },
      adminKey: config.adminKey,
    }).catch((error: unknown) => {
      // The functions failed to load: let go of the database before reporting it.
      store.close();
      throw error;
    });
    const servers = await startServers(engine, {
      host: options.host,
      port,
      sitePort,
    });
    if (options.isSwitchboardApp) {
      await ensureBootstrapped(dataDir, {
        query: (udfPath, args) => engine.adminCall("query", udfPath, args),
        action: (udfPath, args) => engine.adminCall("action", udfPath, args),
      });
    }
    writeState(dataDir, {
      pid: process.pid,
      url: servers.url,
      siteUrl: servers.siteUrl,
      adminKey: config.adminKey,
      startedAt: Date.now(),
    });
    const stopWatching = options.watch
      ? watchFunctions(options.functionsDir, engine)
      : () => undefined;
    process.stderr.write(
      `switchboard-backend: serving ${options.functionsDir} at ${servers.url} (site ${servers.siteUrl}), data in ${dataDir}\n`,
    );
    return {
      url: servers.url,
      siteUrl: servers.siteUrl,
      close: async () => {
        stopWatching();
        await servers.close();
        await engine.close();
        removeState(dataDir);
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Reloads the functions when files in the folder change (debounced); errors keep the old code. */
function watchFunctions(functionsDir: string, engine: LocalEngine): () => void {
  let timer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  const watcher = watch(functionsDir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(async () => {
        try {
          await engine.reload();
          process.stderr.write("switchboard-backend: functions reloaded\n");
        } catch (error) {
          process.stderr.write(
            `switchboard-backend: reload failed, still serving the previous code: ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }
      });
    }, 150);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
