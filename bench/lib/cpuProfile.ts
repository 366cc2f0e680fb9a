/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): where the backend process
 * spent its samples, by function (self and inclusive time) and by source file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { renderTable } from "./table";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type CpuProfile = {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};

function frameKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url === "" ? "" : ` ${basename(url)}:${lineNumber + 1}`;
  return `${functionName === "" ? "(anonymous)" : functionName}${file}`;
}

function fileKey(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === "")
    return functionName.startsWith("(") ? functionName : "(native)";
  const parts = url.replace(/^file:\/\//, "").split("/");
  const at = parts.lastIndexOf("node_modules");
  return at >= 0
    ? parts.slice(at + 1, at + 3).join("/")
    : parts.slice(-2).join("/");
}

export function summarizeCpuProfile(path: string, top = 15): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    total += dt;
    self.set(frameKey(node), (self.get(frameKey(node)) ?? 0) + dt);
    files.set(fileKey(node), (files.get(fileKey(node)) ?? 0) + dt);
    const seen = new Set<string>();
    for (
      let cur: number | undefined = id;
      cur !== undefined;
      cur = parent.get(cur)
    ) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const key = frameKey(n);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const idle = (self.get("(idle)") ?? 0) + (self.get("(program)") ?? 0);
  const rows = (map: Map<string, number>): string[][] =>
    [...map]
      .filter(([key]) => key !== "(idle)" && key !== "(root)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, value]) => [
        value.toFixed(0),
        `${((100 * value) / total).toFixed(1)}%`,
        key,
      ]);
  const columns = [
    { title: "ms", align: "right" as const },
    { title: "share", align: "right" as const },
    { title: "", align: "left" as const },
  ];
  return [
    `backend CPU profile ${path}: ${total.toFixed(0)} ms sampled, idle+program ${idle.toFixed(0)} ms`,
    "",
    "self time by file / package:",
    renderTable(columns, rows(files)),
    "",
    "self time by function:",
    renderTable(columns, rows(self)),
    "",
    "inclusive time by function:",
    renderTable(columns, rows(inclusive)),
  ].join("\n");
}

/**
 * The summary of the backend's profile in `dir` (node --cpu-prof writes one
 * file per thread; the main thread's is the largest), or "" when none.
 */
export function summarizeProfileDir(dir: string | undefined): string {
  if (dir === undefined || !existsSync(dir)) return "";
  const [largest] = readdirSync(dir)
    .filter((file) => file.endsWith(".cpuprofile"))
    .map((file) => join(dir, file))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  return largest === undefined ? "" : `\n${summarizeCpuProfile(largest)}`;
}
