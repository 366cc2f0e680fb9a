/**
 * A throwaway Convex project on disk, opened in a LocalEngine, removed when
 * the test finishes. It lives inside the repository so its imports of
 * "convex/server" resolve from the project's node_modules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { onTestFinished } from "vitest";
import { LocalEngine } from "../../../local-backend/engine/engine";
import { openStore } from "../../../local-backend/engine/store";

const ROOT = resolve(__dirname, "../../..");

export type TempApp = { engine: LocalEngine; convexDir: string };

/** `files` maps paths inside convex/ to their source. */
export async function openTempApp(
  files: Record<string, string>,
): Promise<TempApp> {
  const dir = mkdtempSync(join(ROOT, "test", ".tmp-app-"));
  const convexDir = join(dir, "convex");
  for (const [path, source] of Object.entries(files))
    writeSource(convexDir, path, source);
  const engine = await LocalEngine.open({
    convexDir,
    store: openStore(join(dir, "db.sqlite3")),
    env: {},
    adminKey: "test-admin",
  });
  onTestFinished(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { engine, convexDir };
}

export function writeSource(
  convexDir: string,
  path: string,
  source: string,
): void {
  const file = join(convexDir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
}
