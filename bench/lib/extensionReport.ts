/**
 * bench/extension.ts's table: one row per measurement with the target and
 * result / target (below 1.00x meets it), plus the machine line.
 */
import { cpus, loadavg } from "node:os";
import type { ActivationResult } from "./activation";
import type { BoardResult } from "./boardBench";
import type { FirstRender } from "./boardPage";
import type { BundleSize } from "./prodBuild";
import { ms, percentile } from "./stats";
import { renderTable, type Column } from "./table";

const KB = 1024;

export const TARGET = {
  firstRenderMs: 300,
  updateMs: 50,
  activationMs: 100,
  extensionBytes: 1.5 * KB * KB,
  webviewBytes: 600 * KB,
};

export type Row = string[];

const size = (bytes: number): string =>
  bytes >= KB * KB
    ? `${(bytes / KB / KB).toFixed(2)} MB`
    : `${(bytes / KB).toFixed(1)} KB`;

/** A negative result (the page saw an edit before the bench's own client did) meets any target: 0.00x. */
const ratio = (value: number, target: number): string =>
  Number.isFinite(value) ? `${(Math.max(0, value) / target).toFixed(2)}x` : "-";

function percentileRow(
  label: string,
  samples: readonly number[],
  p: number,
  targetMs: number | undefined,
): Row {
  const value = percentile(samples, p);
  return [
    `  ${label} p${p}`,
    `${ms(value)} ms`,
    targetMs === undefined ? "" : `< ${targetMs} ms`,
    targetMs === undefined ? "" : ratio(value, targetMs),
  ];
}

function p50p95(
  label: string,
  samples: readonly number[],
  targetMs?: number,
): Row[] {
  return [
    percentileRow(label, samples, 50, targetMs),
    percentileRow(label, samples, 95, targetMs),
  ];
}

export function boardRows(tasks: number, board: BoardResult): Row[] {
  const pick = (key: keyof FirstRender) => board.loads.map((l) => l[key]);
  const cards = pick("cards");
  const { paintedAfterRun, afterRun, afterAck, afterSend } = board.updates;
  const painted = pick("paintedMs");
  const floor = board.staticPaintedMs;
  const blank = board.blankPaintedMs;
  return [
    [`board with ${tasks.toLocaleString("en-US")} tasks in Chromium`],
    [`first render, ${board.loads.length} page loads`],
    ...p50p95(
      "first card on screen (frame presented)",
      painted,
      TARGET.firstRenderMs,
    ),
    ...p50p95(
      "  its static snapshot, no JS (floor)",
      floor,
      TARGET.firstRenderMs,
    ),
    [
      "  board / floor, p50",
      `${(percentile(painted, 50) / percentile(floor, 50)).toFixed(2)}x`,
    ],
    ...p50p95("  a one-line page, no CSS or JS (Chromium's page cost)", blank),
    ...p50p95("  board's first-render mark (React commit)", pick("markMs")),
    ...p50p95("  of which after host/init", pick("afterInitMs")),
    ...p50p95("  host/init sent", pick("initSentMs")),
    ...p50p95("    board's webview/ready", pick("readyMs")),
    ...p50p95("    host's preload arrived", pick("preloadMs")),
    ...p50p95("first card in the DOM", pick("firstCardMs")),
    [
      "  cards in the DOM once rendered",
      Math.min(...cards) === Math.max(...cards)
        ? String(cards[0] ?? "-")
        : `${Math.min(...cards)}-${Math.max(...cards)}`,
    ],
    [`remote title edit on its card, ${afterAck.length} edits`],
    ...p50p95(
      "on screen (frame presented) after the mutation ran",
      paintedAfterRun,
      TARGET.updateMs,
    ),
    ...p50p95("in the DOM after the mutation ran", afterRun),
    ...p50p95("in the DOM after the mutation resolved", afterAck),
    ...p50p95("in the DOM after the mutation was sent", afterSend),
  ];
}

export function activationRows(activation: ActivationResult): Row[] {
  return [
    [
      `extension activation in code-server, backend start excluded (${activation.ownMs.length} runs)`,
    ],
    percentileRow(
      "Switchboard's log line",
      activation.ownMs,
      50,
      TARGET.activationMs,
    ),
    ...(activation.vscodeMs.length === 0
      ? []
      : [
          percentileRow(
            "VS Code's Running Extensions (load + activate())",
            activation.vscodeMs,
            50,
            TARGET.activationMs,
          ),
        ]),
  ];
}

export function loadingRows(requireMs: readonly number[]): Row[] {
  return [
    [
      `loading dist/extension.js in bare Node (require, vscode stood in), ${requireMs.length} fresh processes`,
    ],
    ...p50p95("require", requireMs),
  ];
}

export function sizeRows(sizes: readonly BundleSize[]): Row[] {
  return [
    ["bundle sizes (production build)"],
    ...sizes.map((s): Row => {
      const target =
        s.file === "dist/extension.js"
          ? TARGET.extensionBytes
          : s.file.startsWith("dist/webview/")
            ? TARGET.webviewBytes
            : undefined;
      return [
        `  ${s.file}`,
        size(s.bytes),
        target === undefined ? "(info)" : `< ${size(target)}`,
        target === undefined ? "" : ratio(s.bytes, target),
      ];
    }),
  ];
}

const COLUMNS: Column[] = [
  { title: "measurement", align: "left" },
  { title: "result", align: "right" },
  { title: "target", align: "left" },
  { title: "ratio", align: "right" },
];

export function printReport(options: {
  flags: readonly string[];
  loadAtStart: readonly number[];
  /** Lines printed above the table, after the setup line. */
  notes: readonly string[];
  sections: readonly Row[][];
}): void {
  const cpu = cpus();
  const load = (values: readonly number[]) =>
    values.map((l) => l.toFixed(2)).join(" ");
  const flags =
    options.flags.length > 0 ? ` -- ${options.flags.join(" ")}` : "";
  console.log("Switchboard VS Code extension benchmark");
  console.log(`command: npm run bench:extension${flags}`);
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), node ${process.version}, load average at start ${load(options.loadAtStart)}`,
  );
  console.log(
    "setup: local backend in its own process; board = renderWebviewHtml + a fake VS Code host in headless Chromium (playwright-core), page times from navigation start; on screen = the frame showing it presented (Element Timing); floor = the board's DOM saved as a page without scripts, loaded after each board load; ratio = result / target (below 1.00x meets it)",
  );
  for (const note of options.notes) console.log(note);
  console.log("");
  const rows: Row[] = [];
  for (const section of options.sections) {
    if (rows.length > 0) rows.push([]);
    rows.push(...section);
  }
  console.log(renderTable(COLUMNS, rows));
  console.log(`load average at end ${load(loadavg())}`);
}
