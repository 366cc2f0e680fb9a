/**
 * Kills a process that is committing to the store (SIGKILL, at random moments, also
 * during startup and WAL recovery) and checks that every batch it acknowledged survived,
 * that no batch survived in part, and that the database opens cleanly afterwards.
 *
 * The child is our store bundled with esbuild into a temporary .cjs (with the binding's
 * .wasm beside it, as a real bundle must ship it), run by plain `node`, so the SIGKILL
 * reaches the process that writes (no npx/tsx wrapper in between).
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openStore } from "../../../local-backend/engine/store";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const ROUNDS_MAX = 14;
const TIME_BUDGET_MS = 9_000;

/** Commits batch n = start, start+1, ... forever; prints n after commit(n) returns. */
const CHILD_SOURCE = `
import { openStore } from "./local-backend/engine/store";
const [file, startArg] = process.argv.slice(2);
const store = openStore(file);
process.stdout.write("ready\\n");
const doc = (id, n) => ({
  id, table: "batches", creationTime: n, ts: BigInt(n),
  json: JSON.stringify({ _id: id, _creationTime: n, n, pad: "p".repeat(200) }),
});
for (let n = Number(startArg); ; n++) {
  store.commit({
    ts: BigInt(n),
    upserts: [doc("b" + n + "-0", n), doc("b" + n + "-1", n), doc("b" + n + "-2", n), doc("counter", n)],
    deletes: n > 1 ? ["b" + (n - 1) + "-0"] : [],
    kv: { last: String(n) },
  });
  process.stdout.write(n + "\\n");
}
`;

let workDir: string;
let childScript: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "store-crash-"));
  childScript = join(workDir, "child.cjs");
  await build({
    stdin: {
      contents: CHILD_SOURCE,
      resolveDir: repoRoot,
      loader: "ts",
      sourcefile: "child.ts",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: childScript,
    logLevel: "error",
  });
  const wasmDir = dirname(
    createRequire(join(repoRoot, "package.json")).resolve("node-sqlite3-wasm"),
  );
  copyFileSync(
    join(wasmDir, "node-sqlite3-wasm.wasm"),
    join(workDir, "node-sqlite3-wasm.wasm"),
  );
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

type Round = { acknowledged: number[]; stderr: string };

/** Runs the child from batch `start` and SIGKILLs it `killAfterMs` after spawn (or after "ready"). */
function runAndKill(
  file: string,
  start: number,
  killAfterMs: number,
  afterReady: boolean,
): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, file, String(start)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acknowledged: number[] = [];
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split("\n");
      stdout = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") {
          if (afterReady) arm();
        } else acknowledged.push(Number(line));
      }
    });
    child.stderr
      .setEncoding("utf8")
      .on("data", (chunk: string) => (stderr += chunk));
    if (!afterReady) arm();
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") {
        reject(
          new Error(
            `child exited by itself (code ${code}, signal ${signal}): ${stderr}`,
          ),
        );
      } else resolve({ acknowledged, stderr });
    });
  });
}

/** Opens the store cleanly and checks it holds exactly batches 1..last, each whole. */
function verify(file: string, acknowledgedMax: number): number {
  const store = openStore(file);
  try {
    const { documents, kv } = store.load();
    const last = Number(kv.get("last") ?? "0");
    expect(last).toBeGreaterThanOrEqual(acknowledgedMax);
    const ids = new Set(documents.map((d) => d.id));
    for (let n = 1; n <= last; n++) {
      expect(ids.has(`b${n}-1`) && ids.has(`b${n}-2`), `batch ${n} whole`).toBe(
        true,
      );
      // Batch n + 1 deleted b{n}-0, so only the newest batch still has it.
      expect(ids.has(`b${n}-0`), `b${n}-0 present iff newest`).toBe(n === last);
    }
    expect(documents.length).toBe(last === 0 ? 0 : 2 * last + 2);
    const counter = documents.find((d) => d.id === "counter");
    if (last > 0)
      expect((JSON.parse(counter?.json ?? "{}") as { n: number }).n).toBe(last);
    return last;
  } finally {
    store.close();
  }
}

test("every acknowledged batch survives SIGKILL, and no batch survives in part", async () => {
  const file = join(workDir, "data", "db.sqlite3");
  const started = Date.now();
  let last = 0;
  let acknowledgedTotal = 0;
  let rounds = 0;
  while (rounds < ROUNDS_MAX && Date.now() - started < TIME_BUDGET_MS) {
    // Alternate: kill anywhere from startup on (also mid-recovery), or while committing.
    const afterReady = rounds % 2 === 1;
    const killAfterMs = afterReady
      ? 10 + Math.random() * 250
      : 50 + Math.random() * 400;
    const { acknowledged, stderr } = await runAndKill(
      file,
      last + 1,
      killAfterMs,
      afterReady,
    );
    expect(stderr).toBe("");
    const acknowledgedMax = Math.max(last, ...acknowledged);
    // Acknowledgements are consecutive from where this round started.
    acknowledged.forEach((n, i) => expect(n).toBe(last + 1 + i));
    last = verify(file, acknowledgedMax);
    acknowledgedTotal += acknowledged.length;
    rounds++;
  }
  expect(rounds).toBeGreaterThanOrEqual(4);
  // The rounds must really have committed something, or the test proves nothing.
  expect(acknowledgedTotal).toBeGreaterThan(0);
  expect(last).toBeGreaterThanOrEqual(acknowledgedTotal);
}, 30_000);
