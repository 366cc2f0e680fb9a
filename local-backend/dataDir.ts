/**
 * What a data directory holds besides the database: the admin key and the
 * deployment's environment variables (the local `npx convex env`), in
 * config.json, readable only by its owner.
 */
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export type DataDirConfig = {
  adminKey: string;
  /** Deployment environment variables, as `npx convex env set` would hold them. */
  env: Record<string, string>;
};

export const DATABASE_FILE = "convex.sqlite3";
const CONFIG_FILE = "config.json";

export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

export function readConfig(dataDir: string): DataDirConfig {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, CONFIG_FILE);
  if (!existsSync(path)) {
    const fresh: DataDirConfig = {
      adminKey: `local-admin|${randomBytes(32).toString("hex")}`,
      env: {},
    };
    writeConfig(dataDir, fresh);
    return fresh;
  }
  const parsed = JSON.parse(
    readFileSync(path, "utf8"),
  ) as Partial<DataDirConfig>;
  if (
    typeof parsed.adminKey !== "string" ||
    typeof parsed.env !== "object" ||
    parsed.env === null
  ) {
    throw new Error(
      `${path} is not a Switchboard backend config (adminKey, env).`,
    );
  }
  return { adminKey: parsed.adminKey, env: parsed.env };
}

export function writeConfig(dataDir: string, config: DataDirConfig): void {
  const path = join(dataDir, CONFIG_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(temporary, path);
}
