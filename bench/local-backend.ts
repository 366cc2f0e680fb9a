/**
 * The local backend's performance against the issue's targets, in one table:
 *
 *   npm run bench                          (= npx tsx bench/local-backend.ts, ~1-2 min)
 *   npm run bench -- --quick               shorter runs, for a smoke check
 *   npm run bench -- --profile DIR         also CPU-profile the backend process
 *                                          (node --cpu-prof into DIR) and summarize it
 *
 * - Subscriber update latency: N official ConvexClients subscribed to
 *   `messages:latest`; a separate writer client's mutation carries its send time
 *   (fanout.ts).
 * - Sustained durable mutations/s with 32 WebSocket or HTTP writers (writers.ts).
 * - References, each in its own process: convex-test and one LocalEngine without
 *   network (inProcess.ts), and the floor, raw SQLite commits with the store's binding
 *   and settings.
 *
 * The backend runs as a separate process through its CLI, so clients and server do not
 * share an event loop; on a 2-core machine they still share the cores.
 */
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { FUNCTIONS_DIR_PARTS } from "./lib/api";
import { startBackend } from "./lib/backendProcess";
import { summarizeProfileDir } from "./lib/cpuProfile";
import { measureBroadcastFloor, type FloorResult } from "./lib/broadcastFloor";
import { measureFanout, type FanoutResult } from "./lib/fanout";
import type {
  ConvexTestResult,
  EngineResult,
  SqliteResult,
} from "./lib/inProcess";
import type { Throughput } from "./lib/loops";
import {
  ROOT,
  installCleanupHandlers,
  spawnTs,
  tail,
  waitForExit,
} from "./lib/processes";
import { ms, rate, ratio } from "./lib/stats";
import { renderTable, type Column } from "./lib/table";
import { measureWriters, type WritersResult } from "./lib/writers";

const WATCHDOG_MS = 240_000;
const TARGET = {
  p50: 2,
  p99: 10,
  subscribers: 100,
  mutationsPerSecond: 2000,
};

type Options = { quick: boolean; profileDir: string | undefined };

function parseOptions(argv: readonly string[]): Options {
  const at = argv.indexOf("--profile");
  const profileDir = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && (profileDir === undefined || profileDir.startsWith("--")))
    throw new Error("--profile needs a directory");
  return {
    quick: argv.includes("--quick"),
    profileDir: profileDir === undefined ? undefined : resolve(profileDir),
  };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Runs one in-process measurement in its own process (see lib/inProcess.ts). */
async function runPart<T>(name: string, durationMs: number): Promise<T> {
  const child = spawnTs(
    join(ROOT, "bench", "lib", "partMain.ts"),
    [name, String(durationMs)],
    { stdout: "pipe" },
  );
  const stdout = tail(child.stdout, 1 << 20);
  const stderr = tail(child.stderr);
  const code = await waitForExit(child, 90_000);
  if (code === null) child.kill("SIGKILL");
  const line = stdout()
    .split("\n")
    .find((l) => l.startsWith("RESULT "));
  if (code !== 0 || line === undefined)
    throw new Error(`part ${name} failed (exit ${code}):\n${stderr()}`);
  return JSON.parse(line.slice("RESULT ".length)) as T;
}

type Results = {
  fanout: FanoutResult[];
  floor: FloorResult[];
  ws: WritersResult;
  http: WritersResult;
  convexTest: ConvexTestResult;
  engine: EngineResult;
  sqlite: SqliteResult;
};

const COLUMNS: Column[] = [
  { title: "measurement", align: "left" },
  { title: "clients", align: "right" },
  { title: "p50 ms", align: "right" },
  { title: "p99 ms", align: "right" },
  { title: "per second", align: "right" },
  { title: "target", align: "left" },
  { title: "met", align: "left" },
  { title: "notes", align: "left" },
];

function yesNo(ok: boolean): string {
  return ok ? "yes" : "NO";
}

function tableRows(r: Results): string[][] {
  const rows: string[][] = [];
  for (const f of r.fanout) {
    if (f === r.fanout.find((g) => g.kind === f.kind))
      rows.push(
        f.kind === "official"
          ? ["mutation -> subscriber update, official ConvexClient subscribers"]
          : [
              "mutation -> subscriber update, minimal protocol subscribers (server-side latency)",
            ],
      );
    const isTarget = f.subscribers === TARGET.subscribers;
    const meets = (p50: number, p99: number): string[] =>
      isTarget
        ? [
            `p50<=${TARGET.p50} p99<=${TARGET.p99}`,
            yesNo(p50 <= TARGET.p50 && p99 <= TARGET.p99),
          ]
        : ["", ""];
    const problems =
      (f.incomplete > 0 ? `, ${f.incomplete} incomplete` : "") +
      (f.errors.length > 0 ? `, ${f.errors.length} errors` : "");
    rows.push(
      [
        "  each subscriber receipt",
        String(f.subscribers),
        ms(f.each.p50),
        ms(f.each.p99),
        "",
        ...meets(f.each.p50, f.each.p99),
        `${f.each.count} receipts${problems}`,
      ],
      [
        "  until all subscribers have it",
        String(f.subscribers),
        ms(f.all.p50),
        ms(f.all.p99),
        rate(1000 / f.intervalMs),
        ...meets(f.all.p50, f.all.p99),
        `${f.mutations} msgs; cpu-ms/msg server ${ms(f.serverCpuMsPerMutation)}, clients ${ms(f.clientCpuMsPerMutation)}`,
      ],
    );
  }
  const writerRow = (label: string, t: WritersResult): string[] => [
    label,
    String(t.workers),
    ms(t.latency.p50),
    ms(t.latency.p99),
    rate(t.perSecond),
    `>= ${rate(TARGET.mutationsPerSecond)}/s`,
    yesNo(t.perSecond >= TARGET.mutationsPerSecond),
    `${t.ops} in ${t.seconds.toFixed(1)} s; cpu-ms/mut server ${ms(t.serverCpuMsPerMutation)} (1 core: <= ${rate(1000 / t.serverCpuMsPerMutation)}/s), clients ${ms(t.clientCpuMsPerMutation)}` +
      (t.errors > 0 ? `; ${t.errors} errors: ${t.firstError ?? ""}` : ""),
  ];
  rows.push(
    [],
    ["sustained durable mutations (backend process)"],
    writerRow("  WebSocket writers (ConvexClient)", r.ws),
    writerRow("  HTTP writers (ConvexHttpClient)", r.http),
  );
  const plain = (label: string, t: Throughput, notes = ""): string[] => [
    label,
    String(t.workers),
    ms(t.latency.p50),
    ms(t.latency.p99),
    rate(t.perSecond),
    "",
    "",
    notes || `${t.ops} in ${t.seconds.toFixed(1)} s`,
  ];
  const e = r.engine;
  rows.push(
    [],
    ["reference: in-process, no network"],
    plain("  convex-test mutations, sequential", r.convexTest.sequential),
    plain("  convex-test mutations, concurrent", r.convexTest.concurrent),
    plain("  LocalEngine mutations, sequential", e.sequential),
    plain(
      "  LocalEngine mutations, concurrent",
      e.concurrent,
      `${(e.concurrent.ops / Math.max(1, e.commits)).toFixed(1)} mut/commit; commit ${((100 * e.commitMs) / (e.concurrent.seconds * 1000)).toFixed(0)}% of time`,
    ),
    plain(
      "  LocalEngine mutations, concurrent, keyed",
      e.concurrentKeyed,
      "with idempotency keys, as the WebSocket protocol sends mutations",
    ),
    [
      "  LocalEngine messages:latest runs",
      "",
      "",
      "",
      rate(e.queriesPerSecond),
      "",
      "",
      `${ms((100 * 1000) / e.queriesPerSecond)} ms to re-run 100 subscriptions`,
    ],
  );
  rows.push(
    [],
    [
      "floor: bare ws broadcast of the same frame (own process; no functions, no database)",
    ],
    ...r.floor.map((f) => [
      "  until all subscribers have it",
      String(f.subscribers),
      ms(f.all.p50),
      ms(f.all.p99),
      "",
      "",
      "",
      `${f.all.count} msgs; each receipt p50 ${ms(f.each.p50)}, p99 ${ms(f.each.p99)}`,
    ]),
  );
  const s = r.sqlite;
  rows.push(
    [],
    ["floor: node-sqlite3-wasm, WAL+EXCLUSIVE, synchronous=FULL"],
    plain("  raw durable commits, 1 row each", s.single, "commits/s"),
    [
      "  raw 100-row commits",
      "1",
      ms(s.batch100.latency.p50),
      ms(s.batch100.latency.p99),
      rate(s.batch100.perSecond * 100),
      "",
      "",
      `rows/s (${rate(s.batch100.perSecond)} commits/s)`,
    ],
    plain("  store.commit(), 1 document", s.storeCommit, "commits/s"),
  );
  const ratioRow = (label: string, a: number, b: number): string[] => [
    `  ${label}`,
    "",
    "",
    "",
    ratio(a, b),
  ];
  rows.push(
    [],
    ["ratios (mutations/s)"],
    ratioRow(
      "backend WS / convex-test concurrent",
      r.ws.perSecond,
      r.convexTest.concurrent.perSecond,
    ),
    ratioRow(
      "backend HTTP / convex-test concurrent",
      r.http.perSecond,
      r.convexTest.concurrent.perSecond,
    ),
    ratioRow(
      "backend WS / LocalEngine concurrent",
      r.ws.perSecond,
      e.concurrent.perSecond,
    ),
    ratioRow(
      "backend WS / LocalEngine concurrent keyed",
      r.ws.perSecond,
      e.concurrentKeyed.perSecond,
    ),
    ratioRow(
      "LocalEngine concurrent / convex-test conc.",
      e.concurrent.perSecond,
      r.convexTest.concurrent.perSecond,
    ),
    ratioRow(
      "backend WS / raw SQLite commits",
      r.ws.perSecond,
      s.single.perSecond,
    ),
    ratioRow(
      "LocalEngine concurrent / raw SQLite commits",
      e.concurrent.perSecond,
      s.single.perSecond,
    ),
  );
  rows.push(
    [],
    ["ratios (update latency until all, p50 / p99; 1 = the floor)"],
  );
  for (const floor of r.floor) {
    for (const kind of ["raw", "official"] as const) {
      const f = r.fanout.find(
        (g) => g.kind === kind && g.subscribers === floor.subscribers,
      );
      if (f === undefined) continue;
      rows.push([
        `  backend (${kind === "raw" ? "minimal" : "official"} subscribers) / bare ws broadcast`,
        String(floor.subscribers),
        ratio(f.all.p50, floor.all.p50),
        ratio(f.all.p99, floor.all.p99),
      ]);
    }
  }
  return rows;
}

async function measure(options: Options): Promise<Results> {
  const plan = options.quick
    ? {
        mutations: 50,
        warmup: 10,
        fanoutBudgetMs: 10_000,
        writeMs: 1500,
        partMs: 600,
      }
    : {
        mutations: 200,
        warmup: 20,
        fanoutBudgetMs: 45_000,
        writeMs: 5000,
        partMs: 2000,
      };
  progress("starting the backend process");
  const backend = await startBackend({
    functionsDir: join(ROOT, ...FUNCTIONS_DIR_PARTS),
    ...(options.profileDir === undefined
      ? {}
      : { cpuProfDir: options.profileDir }),
  });
  let fanout: FanoutResult[];
  let ws: Results["ws"];
  let http: Results["http"];
  try {
    fanout = [];
    const runs = [
      ...[1, 10, 100].map((subscribers) => ({
        subscribers,
        kind: "official" as const,
      })),
      ...[1, 10, 100].map((subscribers) => ({
        subscribers,
        kind: "raw" as const,
      })),
    ];
    for (const { subscribers, kind } of runs) {
      progress(`fan-out to ${subscribers} ${kind} subscriber(s)`);
      fanout.push(
        await measureFanout(
          backend.url,
          {
            subscribers,
            kind,
            warmup: plan.warmup,
            mutations: plan.mutations,
            minGapMs: 5,
            timeoutMs: 2000,
            budgetMs: plan.fanoutBudgetMs,
          },
          backend.cpuMs,
        ),
      );
    }
    const writers = { writers: 32, durationMs: plan.writeMs };
    progress("32 WebSocket writers");
    ws = await measureWriters(backend.url, "ws", writers, backend.cpuMs);
    progress("32 HTTP writers");
    http = await measureWriters(backend.url, "http", writers, backend.cpuMs);
  } finally {
    await backend.stop();
  }
  const floor: FloorResult[] = [];
  for (const subscribers of [1, 10, 100]) {
    progress(`fan-out floor: bare ws broadcast to ${subscribers}`);
    floor.push(
      await measureBroadcastFloor({
        subscribers,
        warmup: plan.warmup,
        mutations: plan.mutations,
        minGapMs: 5,
      }),
    );
  }
  progress("convex-test reference");
  const convexTest = await runPart<ConvexTestResult>(
    "convex-test",
    plan.partMs,
  );
  progress("in-process LocalEngine reference");
  const engine = await runPart<EngineResult>("engine", plan.partMs);
  progress("raw SQLite floor");
  const sqlite = await runPart<SqliteResult>("sqlite", plan.partMs);
  return { fanout, floor, ws, http, convexTest, engine, sqlite };
}

function header(options: Options, loadAtStart: readonly number[]): string {
  const args = process.argv.slice(2).join(" ");
  const command =
    process.env.npm_lifecycle_event === "bench"
      ? `npm run bench${args === "" ? "" : ` -- ${args}`}`
      : `npx tsx bench/local-backend.ts${args === "" ? "" : ` ${args}`}`;
  const cpu = cpus();
  return [
    "Switchboard local backend benchmark",
    `command: ${command}`,
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), node ${process.version}, ${process.platform}/${process.arch}, load average at start ${loadAtStart
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    `setup: backend = separate process (local-backend/main.ts serve, SQLite in a temp dir); clients = official convex/browser clients in this process over loopback${options.quick ? "; --quick" : ""}`,
    "note: server, clients and SQLite share the machine's cores; latency includes the durable commit (fsync) before subscribers are told",
  ].join("\n");
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const options = parseOptions(process.argv.slice(2));
  setTimeout(() => {
    process.stderr.write(`bench: exceeded ${WATCHDOG_MS} ms, aborting\n`);
    process.exit(1);
  }, WATCHDOG_MS).unref();
  const started = performance.now();
  const loadAtStart = loadavg();
  const results = await measure(options);
  console.log(header(options, loadAtStart));
  console.log("");
  console.log(renderTable(COLUMNS, tableRows(results)));
  const f100 = results.fanout.find(
    (f) => f.subscribers === TARGET.subscribers && f.kind === "official",
  );
  const raw100 = results.fanout.find(
    (f) => f.subscribers === TARGET.subscribers && f.kind === "raw",
  );
  const verdict = (f: FanoutResult | undefined): string =>
    f === undefined
      ? "not measured"
      : yesNo(f.all.p50 <= TARGET.p50 && f.all.p99 <= TARGET.p99) +
        ` (until all: p50 ${ms(f.all.p50)}, p99 ${ms(f.all.p99)})`;
  console.log("");
  console.log(
    `targets: 100-subscriber update p50<=${TARGET.p50} ms & p99<=${TARGET.p99} ms: official clients ${verdict(f100)}, minimal subscribers ${verdict(raw100)}; >= ${rate(TARGET.mutationsPerSecond)} durable mutations/s: WS ${yesNo(
      results.ws.perSecond >= TARGET.mutationsPerSecond,
    )} (${rate(results.ws.perSecond)}), HTTP ${yesNo(
      results.http.perSecond >= TARGET.mutationsPerSecond,
    )} (${rate(results.http.perSecond)})`,
  );
  console.log(
    `total run time ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const profile = summarizeProfileDir(options.profileDir);
  if (profile !== "") console.log(profile);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
