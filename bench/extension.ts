/**
 * The VS Code extension's speed against the targets, in one table:
 *
 *   npm run bench:extension                 (= npx tsx bench/extension.ts, a few minutes)
 *   npm run bench:extension -- --quick      fewer samples, for a smoke check
 *   ... -- --no-vscode                      skip activation (no code-server start)
 *   ... -- --profile DIR                    also CPU-profile one board load (DIR/board-first-render.cpuprofile)
 *
 * - The board with 5,000 tasks in Chromium (lib/boardBench.ts): time to first render
 *   per page load [< 300 ms], the first card's frame presented, beside the same
 *   DOM as a static page (the floor), and how long a remote edit takes to be on
 *   screen [< 50 ms].
 * - Extension activation in code-server (lib/activation.ts), backend start excluded
 *   [< 100 ms].
 * - How long bare Node takes to load dist/extension.js (lib/requireTime.ts): the
 *   code-loading part of VS Code's activation figure, with less noise.
 * - Bundle sizes of the production build (lib/prodBuild.ts, made in a private copy)
 *   [extension < 1.5 MB, each webview < 600 KB].
 *
 * The local backend runs as its own process (lib/backendProcess.ts) with the repo's
 * convex/ functions. Progress goes to stderr, the table to stdout.
 */
import { loadavg } from "node:os";
import { join } from "node:path";
import { activationUnavailable, measureActivation } from "./lib/activation";
import {
  measureBoard,
  seededBackend,
  type BoardResult,
  type SeededBackend,
} from "./lib/boardBench";
import {
  activationRows,
  boardRows,
  loadingRows,
  printReport,
  sizeRows,
  type Row,
} from "./lib/extensionReport";
import { buildProduction, type ProductionBuild } from "./lib/prodBuild";
import { requireTimes } from "./lib/requireTime";
import { installCleanupHandlers, makeTempDir } from "./lib/processes";
import { FIRST_PAGE } from "../webview/board/boardModel";

const TASKS = 5_000;
/** Set when a part failed but the others still make a table. */
let failed = false;

function progress(message: string): void {
  process.stderr.write(`bench:extension: ${message}\n`);
}

/**
 * The build (a child process, mostly esbuild) and the seeding (the backend process,
 * mostly waiting on commits) each take a while and leave cores idle: overlap them.
 */
async function prepare(): Promise<[ProductionBuild, SeededBackend]> {
  progress(
    "production build (scripts/build.mjs --production in a private copy), seeding meanwhile",
  );
  const [built, seeded] = await Promise.allSettled([
    buildProduction().then((build) => {
      progress(`  built in ${(build.buildMs / 1000).toFixed(1)} s`);
      return build;
    }),
    seededBackend(TASKS, progress),
  ]);
  if (built.status === "fulfilled" && seeded.status === "fulfilled")
    return [built.value, seeded.value];
  if (built.status === "fulfilled") built.value.remove();
  if (seeded.status === "fulfilled") await seeded.value.stop();
  const failed = built.status === "rejected" ? built : seeded;
  throw failed.status === "rejected" ? failed.reason : new Error("unreachable");
}

async function activationSection(
  build: ProductionBuild,
  runs: number,
): Promise<Row[]> {
  const unavailable = activationUnavailable();
  if (unavailable !== undefined)
    return [[`extension activation: skipped, ${unavailable}`]];
  const temp = makeTempDir("sb-bench-vsix-");
  try {
    progress("packaging the .vsix (scripts/package-vsix.mjs)");
    const vsix = join(temp.path, "switchboard.vsix");
    await build.packageVsix(vsix);
    progress(`extension activation in code-server (${runs} runs)`);
    return activationRows(await measureActivation({ vsix, runs, progress }));
  } catch (error) {
    // The board and size rows are still worth printing; the exit code says it failed.
    const message = error instanceof Error ? error.message : String(error);
    progress(`extension activation failed: ${message}`);
    failed = true;
    return [[`extension activation: FAILED, ${message.split("\n")[0] ?? ""}`]];
  } finally {
    temp.remove();
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const quick = process.argv.includes("--quick");
  const vscode = !process.argv.includes("--no-vscode");
  const profileAt = process.argv.indexOf("--profile");
  const profileDir = profileAt === -1 ? undefined : process.argv[profileAt + 1];
  if (profileAt !== -1 && profileDir === undefined) {
    throw new Error("--profile needs a directory");
  }
  const loadAtStart = loadavg();
  const [build, seeded] = await prepare();
  try {
    let board: BoardResult;
    try {
      board = await measureBoard(
        { loads: quick ? 3 : 10, updates: quick ? 5 : 30, profileDir },
        seeded,
        join(build.dist, "webview"),
        progress,
      );
    } finally {
      // Before activation: code-server and the extension's own backend want the cores.
      await seeded.stop();
    }
    const activation = vscode
      ? await activationSection(build, quick ? 1 : 3)
      : [["extension activation: skipped (--no-vscode)"]];
    printReport({
      flags: [quick ? "--quick" : "", vscode ? "" : "--no-vscode"].filter(
        (flag) => flag !== "",
      ),
      loadAtStart,
      notes: [
        `board data: ${TASKS} tasks in one project (${seeded.statuses}); the board asks for the first ${FIRST_PAGE} cards of each column`,
        ...(vscode
          ? [
              "activation: Switchboard's line times its activate() body; VS Code's figure adds loading dist/extension.js (codeLoadingTime + activateCallTime)",
            ]
          : []),
      ],
      sections: [
        boardRows(TASKS, board),
        activation,
        loadingRows(
          requireTimes(join(build.dist, "extension.js"), quick ? 5 : 15),
        ),
        sizeRows(build.sizes()),
      ],
    });
  } finally {
    build.remove();
  }
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (error: unknown) => {
    process.stderr.write(
      `bench:extension failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
