/**
 * switchboard-backend: runs a convex/ folder on a local SQLite file behind
 * Convex's own client protocol. Logs go to stderr.
 *
 *   switchboard-backend [serve] [--data-dir D] [--functions DIR] [--port P] [--site-port P] [--host H] [--watch]
 *   switchboard-backend token  [--data-dir D]      print the owner's sign-in token
 *   switchboard-backend seed   [--data-dir D]      add demo data (backend running)
 *   switchboard-backend export [--data-dir D] > F  all documents as JSONL (backend stopped)
 *   switchboard-backend import [--data-dir D] < F  into a fresh data directory
 *   switchboard-backend bundle-functions --out DIR   prebuild the functions (packaging)
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { exportData, importData, seed } from "./cli/admin";
import { serve } from "./cli/serve";
import { defaultDataDir } from "./discovery";
import { readOwnerToken } from "./switchboardApp";
import {
  PREBUILT_FUNCTIONS_FILE,
  writePrebuiltFunctions,
} from "./engine/modules";

const USAGE = `usage: switchboard-backend [serve|token|seed|export|import] [options]
  serve              run the backend (default)
  token              print the owner's sign-in token (Switchboard's functions)
  seed               add demo tasks, a thread and an approval to the running backend
  export             write every document as JSONL to stdout (backend stopped)
  import             read JSONL from stdin into a fresh data directory
  bundle-functions   write the functions, bundled, to --out DIR (the build runs this)
  --data-dir DIR     where the database and config live (default: $SWITCHBOARD_DATA_DIR or ~/.switchboard/local)
  --functions DIR    the convex/ folder to run (default: Switchboard's own)
  --host HOST        interface to bind (default 127.0.0.1)
  --port PORT        deployment URL port (default 3210; 0 picks a free one)
  --site-port PORT   HTTP actions port (default 3211; 0 picks a free one)
  --watch            reload the functions when files in the folder change
  --out DIR          where bundle-functions writes ${PREBUILT_FUNCTIONS_FILE}
`;

/**
 * Switchboard's own functions: the convex/ sources next to dist/ (a clone, where
 * they may change and are bundled at start), else the bundle the build put in
 * dist/functions/ (the packaged extension, which ships neither sources nor esbuild).
 */
function ownFunctionsDir(): string {
  for (const candidate of [
    join(__dirname, "..", "convex"),
    join(__dirname, "..", "..", "convex"),
  ]) {
    if (existsSync(join(candidate, "schema.ts"))) return resolve(candidate);
  }
  const prebuilt = join(__dirname, "functions");
  if (existsSync(join(prebuilt, PREBUILT_FUNCTIONS_FILE))) return prebuilt;
  return resolve("convex");
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "data-dir": { type: "string" },
      functions: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "3210" },
      "site-port": { type: "string", default: "3211" },
      watch: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = positionals[0] ?? "serve";
  if (values.help === true) {
    process.stderr.write(USAGE);
    return 0;
  }
  const dataDir = resolve(values["data-dir"] ?? defaultDataDir());
  if (command === "token") {
    const token = readOwnerToken(dataDir);
    if (token === null) {
      process.stderr.write(
        `No owner token in ${dataDir}: start the backend once with Switchboard's functions.\n`,
      );
      return 1;
    }
    process.stdout.write(`${token}\n`);
    return 0;
  }
  if (command === "seed") {
    process.stdout.write(`${JSON.stringify(await seed(dataDir))}\n`);
    return 0;
  }
  if (command === "export") {
    const count = await exportData(dataDir, process.stdout);
    process.stderr.write(`exported ${count} documents from ${dataDir}\n`);
    return 0;
  }
  if (command === "import") {
    const count = await importData(dataDir, process.stdin);
    process.stderr.write(`imported ${count} documents into ${dataDir}\n`);
    return 0;
  }
  const own = ownFunctionsDir();
  if (command === "bundle-functions") {
    if (values.out === undefined) {
      process.stderr.write("bundle-functions needs --out DIR\n");
      return 2;
    }
    const file = await writePrebuiltFunctions(
      values.functions ?? own,
      values.out,
    );
    process.stderr.write(`bundled the functions into ${file}\n`);
    return 0;
  }
  if (command !== "serve") {
    process.stderr.write(USAGE);
    return 2;
  }
  const functionsDir = resolve(values.functions ?? own);
  const backend = await serve({
    dataDir,
    functionsDir,
    isSwitchboardApp: functionsDir === own,
    host: values.host,
    port: Number(values.port),
    sitePort: Number(values["site-port"]),
    watch: values.watch,
  });
  await new Promise<void>((resolveStop) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      process.once(signal, () => resolveStop());
  });
  await backend.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `switchboard-backend: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
