/**
 * How long Node takes to load (require) dist/extension.js: the code-loading part
 * of VS Code's activation figure, measured outside VS Code, where the extension
 * host's other start-up work does not blur it. Each run is a fresh process.
 * `vscode` is answered by a stand-in whose members are the names @types/vscode
 * exports, each a proxy that can be called, constructed and read from: loading
 * touches the API only at module level (`Uri.from(...)`, `new EventEmitter()`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./processes";

function vscodeApiNames(): string[] {
  const types = readFileSync(
    join(ROOT, "node_modules", "@types", "vscode", "index.d.ts"),
    "utf8",
  );
  const names = new Set<string>();
  for (const match of types.matchAll(
    /^\s*export (?:class|enum|namespace|const|function|let) ([A-Za-z_]+)/gm,
  ))
    if (match[1] !== undefined) names.add(match[1]);
  return [...names];
}

/** The child's program: stub `vscode`, time the require, print ms. */
const CHILD = `
const Module = require("node:module");
const names = JSON.parse(process.argv[2]);
const members = new Map();
// One proxy per name, made when first read: the bundle reads few of them.
const memberNamed = (key) => {
  if (!members.has(key)) members.set(key, member());
  return members.get(key);
};
const member = () => new Proxy(function () {}, {
  get: (target, key) => (key === "__esModule" ? true : key === "prototype" ? target.prototype : memberNamed(key)),
  apply: () => member(),
  construct: () => member(),
  ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...names])],
  getOwnPropertyDescriptor: (target, key) =>
    names.includes(key)
      ? { configurable: true, enumerable: true, get: () => memberNamed(key) }
      : Reflect.getOwnPropertyDescriptor(target, key),
});
const vscode = member();
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : load.call(this, request, ...rest);
};
const started = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));
`;

export function requireTimes(file: string, runs: number): number[] {
  const names = JSON.stringify(vscodeApiNames());
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ["-e", CHILD, file, names], {
      encoding: "utf8",
    });
    const ms = Number(child.stdout);
    if (child.status !== 0 || !Number.isFinite(ms))
      throw new Error(
        `Loading ${file} with a stand-in vscode failed: ${child.stderr.slice(-600)}`,
      );
    samples.push(ms);
  }
  return samples;
}
