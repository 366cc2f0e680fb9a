/**
 * Bundles a program the way scripts/build.mjs does, into a private directory
 * (a concurrent `npm run build` cannot change it mid-run), so benchmarks measure
 * what users run (`node dist/...js`) rather than TypeScript under tsx's loader.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./processes";

export type Bundle = {
  dir: string;
  file(name: string): string;
  remove(): void;
};

/** `entries`: output name -> source path relative to the repository root. */
export async function bundle(
  label: string,
  entries: Record<string, string>,
  external: string[] = [],
): Promise<Bundle> {
  // Inside the repository, so external packages resolve from node_modules.
  const dir = join(
    ROOT,
    "node_modules",
    ".cache",
    "switchboard-bench",
    `${label}-${process.pid}`,
  );
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, path]) => [name, join(ROOT, path)]),
    ),
    outdir: dir,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external,
    sourcemap: true,
    logLevel: "warning",
  });
  return {
    dir,
    file: (name) => join(dir, `${name}.js`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
