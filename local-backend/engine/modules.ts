/**
 * Loads a convex/ folder: bundles every function module (the CLI's selection,
 * convexModules.ts) with esbuild into one CommonJS script and evaluates it in
 * this process. `process.env` inside the bundle is the deployment's own env,
 * not the backend's, so functions see exactly the variables set on the
 * deployment (plus CONVEX_CLOUD_URL and CONVEX_SITE_URL).
 */
import type { JSONValue } from "convex/values";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { runInThisContext } from "node:vm";
import { listModules } from "./convexModules";

export type FunctionKind = "query" | "mutation" | "action";

/** What convex/server's registration puts on an exported function. */
export type RegisteredFunction = {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  invokeQuery?: (argsJson: string) => Promise<string>;
  invokeMutation?: (argsJson: string) => Promise<string>;
  invokeAction?: (requestId: string, argsJson: string) => Promise<string>;
  exportArgs: () => string;
  exportReturns: () => string;
};

export type LoadedFunction = {
  udfPath: string;
  kind: FunctionKind;
  visibility: "public" | "internal";
  fn: RegisteredFunction;
};

export type HttpRouterLike = {
  lookup(
    path: string,
    method: string,
  ): readonly [HttpActionLike, string, string] | null;
};
export type HttpActionLike = {
  invokeHttpAction(request: Request): Promise<Response>;
};

/** One entry of `cronJobs().crons` (node_modules/convex/src/server/cron.ts). */
export type CronSpec = {
  /** The function's udfPath. */
  name: string;
  /** `[argsJson]`: the Convex-JSON argument object in a one-element array. */
  args: JSONValue[];
  schedule:
    | { type: "interval"; seconds?: number; minutes?: number; hours?: number }
    | { type: "cron"; cron: string }
    | { type: "hourly"; minuteUTC?: number }
    | { type: "daily"; hourUTC: number; minuteUTC?: number }
    | { type: "weekly"; dayOfWeek: string; hourUTC: number; minuteUTC?: number }
    | { type: "monthly"; day: number; hourUTC: number; minuteUTC?: number };
};

export type LoadedApp = {
  functions: Map<string, LoadedFunction>;
  /** `schema.export()` as JSON text, or null without a schema. */
  schemaJson: string | null;
  authConfig: unknown;
  http: HttpRouterLike | null;
  crons: Map<string, CronSpec>;
  /** Module paths, for messages ("tasks", "dir/x"). */
  modules: string[];
};

type BundleExports = {
  modules: Record<string, Record<string, unknown>>;
  extraModules: Record<string, Record<string, unknown>>;
  schema?: { export(): string };
  authConfig?: unknown;
};

function stripExtension(modulePath: string): string {
  return modulePath.replace(/\.[cm]?[jt]sx?$/, "");
}

function entrySource(
  convexDir: string,
  modules: readonly string[],
  extraModules: Readonly<Record<string, string>>,
): string {
  const lines = modules.map((path, i) => `import * as m${i} from "./${path}";`);
  const extra = Object.entries(extraModules);
  extra.forEach(([, file], i) =>
    lines.push(`import * as x${i} from ${JSON.stringify(resolve(file))};`),
  );
  lines.push(
    `export const extraModules = {${extra.map(([name], i) => `${JSON.stringify(name)}: x${i}`).join(", ")}};`,
  );
  lines.push(
    `export const modules = {${modules.map((path, i) => `${JSON.stringify(stripExtension(path))}: m${i}`).join(", ")}};`,
  );
  for (const schemaFile of ["schema.ts", "schema.js"]) {
    if (existsSync(join(convexDir, schemaFile))) {
      lines.push(`export { default as schema } from "./${schemaFile}";`);
      break;
    }
  }
  for (const authFile of ["auth.config.ts", "auth.config.js"]) {
    if (existsSync(join(convexDir, authFile))) {
      lines.push(`export { default as authConfig } from "./${authFile}";`);
      break;
    }
  }
  return lines.join("\n");
}

type Bundle = { code: string; modules: string[] };

/**
 * A folder holding this file instead of sources is a prebuilt bundle (what
 * `bundle-functions` writes): the packaged extension runs its functions from it,
 * so it ships neither convex/ sources nor esbuild's native binary.
 */
export const PREBUILT_FUNCTIONS_FILE = "functions.bundle.json";

function readPrebuilt(dir: string): Bundle | null {
  const path = join(dir, PREBUILT_FUNCTIONS_FILE);
  if (!existsSync(path)) return null;
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Bundle>;
  if (typeof parsed.code !== "string" || !Array.isArray(parsed.modules))
    throw new Error(`${path} is not a functions bundle (code, modules).`);
  return { code: parsed.code, modules: parsed.modules };
}

/** Bundles `convexDir` into `outDir`/functions.bundle.json; returns the file. */
export async function writePrebuiltFunctions(
  convexDir: string,
  outDir: string,
): Promise<string> {
  const bundle = await bundleFunctions(convexDir);
  mkdirSync(outDir, { recursive: true });
  const path = join(resolve(outDir), PREBUILT_FUNCTIONS_FILE);
  writeFileSync(path, JSON.stringify(bundle));
  return path;
}

/** Bundles convex/ (or reads a prebuilt bundle) and returns the script text. */
export async function bundleFunctions(
  convexDir: string,
  extraModules: Readonly<Record<string, string>> = {},
): Promise<Bundle> {
  const dir = resolve(convexDir);
  const prebuilt =
    Object.keys(extraModules).length === 0 ? readPrebuilt(dir) : null;
  if (prebuilt !== null) return prebuilt;
  const modules = listModules(dir);
  // Loaded only when sources are bundled: a prebuilt bundle needs no esbuild.
  const { build } = await import("esbuild");
  const result = await build({
    stdin: {
      contents: entrySource(dir, modules, extraModules),
      resolveDir: dir,
      loader: "ts",
      sourcefile: "switchboard-entry.ts",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
    // The wrapper in evaluate() passes the deployment env in as this name.
    define: { "process.env": "__deploymentEnv" },
    sourcemap: "inline",
  });
  const output = result.outputFiles[0];
  if (output === undefined)
    throw new Error(`Bundling ${dir} produced no output.`);
  return { code: output.text, modules: modules.map(stripExtension) };
}

function evaluate(
  code: string,
  convexDir: string,
  env: Record<string, string>,
): BundleExports {
  const filename = join(resolve(convexDir), "switchboard-bundle.cjs");
  const wrapper = runInThisContext(
    `(function (exports, require, module, __filename, __dirname, __deploymentEnv) {${code}\n})`,
    { filename },
  ) as (
    exports: object,
    require: NodeRequire,
    module: { exports: object },
    filename: string,
    dirname: string,
    env: Record<string, string>,
  ) => void;
  const module = { exports: {} };
  wrapper(
    module.exports,
    createRequire(filename),
    module,
    filename,
    resolve(convexDir),
    env,
  );
  return module.exports as BundleExports;
}

function kindOf(fn: RegisteredFunction): FunctionKind | null {
  if (fn.isQuery === true) return "query";
  if (fn.isMutation === true) return "mutation";
  if (fn.isAction === true) return "action";
  return null;
}

function isRegistered(value: unknown): value is RegisteredFunction {
  return (
    typeof value === "function" &&
    typeof (value as Partial<RegisteredFunction>).exportArgs === "function"
  );
}

/**
 * Bundles and evaluates convex/. `extraModules` (name -> file) adds modules
 * that are not in the folder, e.g. a test harness's helpers.
 */
export async function loadApp(
  convexDir: string,
  env: Record<string, string>,
  extraModules: Readonly<Record<string, string>> = {},
): Promise<LoadedApp> {
  const { code, modules } = await bundleFunctions(convexDir, extraModules);
  const exports = evaluate(code, convexDir, env);
  const functions = new Map<string, LoadedFunction>();
  let http: HttpRouterLike | null = null;
  const crons = new Map<string, CronSpec>();
  for (const [modulePath, moduleExports] of Object.entries({
    ...exports.modules,
    ...exports.extraModules,
  })) {
    for (const [name, value] of Object.entries(moduleExports)) {
      if (modulePath === "http" && name === "default" && isRouter(value))
        http = value;
      if (modulePath === "crons" && name === "default" && isCrons(value)) {
        for (const [cronName, spec] of Object.entries(value.crons))
          crons.set(cronName, spec);
      }
      if (!isRegistered(value)) continue;
      const kind = kindOf(value);
      if (kind === null) continue;
      const udfPath = `${modulePath}:${name}`;
      functions.set(udfPath, {
        udfPath,
        kind,
        visibility: value.isPublic === true ? "public" : "internal",
        fn: value,
      });
    }
  }
  return {
    functions,
    schemaJson: exports.schema === undefined ? null : exports.schema.export(),
    authConfig: exports.authConfig,
    http,
    crons,
    modules,
  };
}

function isRouter(value: unknown): value is HttpRouterLike {
  return (
    typeof value === "object" &&
    value !== null &&
    "lookup" in value &&
    typeof value.lookup === "function"
  );
}

function isCrons(value: unknown): value is { crons: Record<string, CronSpec> } {
  return (
    typeof value === "object" &&
    value !== null &&
    "crons" in value &&
    typeof value.crons === "object"
  );
}

/** "tasks:create", "tasks.js:create", "dir/x:default" or "tasks" -> the canonical "module:name". */
export function canonicalUdfPath(udfPath: string): string {
  const colon = udfPath.lastIndexOf(":");
  const modulePart = colon === -1 ? udfPath : udfPath.slice(0, colon);
  const name = colon === -1 ? "default" : udfPath.slice(colon + 1);
  return `${stripExtension(modulePart)}:${name}`;
}
