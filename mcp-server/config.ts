/**
 * What switchboard-mcp needs to run, read from the environment once:
 *
 * - SWITCHBOARD_URL: the deployment (e.g. https://x.convex.cloud). Its HTTP
 *   actions live at SWITCHBOARD_SITE_URL, or else at the derived site URL
 *   (`.convex.cloud` -> `.convex.site`; a local `host:port` -> `host:port+1`,
 *   as the local backends serve them).
 * - Without SWITCHBOARD_URL: the local backend found through the state file in
 *   SWITCHBOARD_DATA_DIR (default ~/.switchboard/local), looked up on every
 *   (re)connect because its ports may change between runs.
 * - SWITCHBOARD_TOKEN: the agent's `sba_…` secret. A person's `sbu_…` works
 *   too, but people belong to many projects, so their calls must name projectId.
 *   Or SWITCHBOARD_TOKEN_FILE: a file holding it (sandboxes keep their token in
 *   a 0600 file so that it never appears in a command line or `docker inspect`).
 * - SWITCHBOARD_WAIT_TIMEOUT_MS / SWITCHBOARD_APPROVAL_TIMEOUT_MS /
 *   SWITCHBOARD_CONNECT_TIMEOUT_MS: how long wait_for_updates and
 *   approval_prompt block, and how long a call waits for an unreachable backend.
 */
import { readFileSync } from "node:fs";
import { defaultDataDir } from "../local-backend/discovery";

export type BackendLocation =
  | {
      kind: "url";
      url: string;
      siteUrl: string;
      /** Where the URLs came from, for error messages. */
      source: string;
    }
  | { kind: "dataDir"; dataDir: string };

export type McpServerConfig = {
  backend: BackendLocation;
  /** The agent (or person) secret; never logged. */
  token: string | undefined;
  /** Default and ceiling of wait_for_updates (under MCP clients' usual 60 s request timeout). */
  waitTimeoutMs: number;
  /** How long approval_prompt waits for a person before it denies. */
  approvalTimeoutMs: number;
  /** How long a call waits for an unreachable backend before failing. */
  connectTimeoutMs: number;
};

export const DEFAULTS = {
  waitTimeoutMs: 50_000,
  approvalTimeoutMs: 50_000,
  connectTimeoutMs: 10_000,
} as const;

/** The HTTP-actions URL that goes with a deployment URL. */
export function deriveSiteUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname.endsWith(".convex.cloud")) {
    parsed.hostname = parsed.hostname.replace(
      /\.convex\.cloud$/,
      ".convex.site",
    );
    return trimSlash(parsed.toString());
  }
  if (parsed.port !== "") {
    parsed.port = String(Number(parsed.port) + 1);
    return trimSlash(parsed.toString());
  }
  return trimSlash(url);
}

export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): McpServerConfig {
  const url = nonEmpty(env.SWITCHBOARD_URL);
  const siteOverride = nonEmpty(env.SWITCHBOARD_SITE_URL);
  const backend: BackendLocation =
    url !== undefined
      ? {
          kind: "url",
          url: trimSlash(url),
          siteUrl: trimSlash(siteOverride ?? deriveSiteUrl(url)),
          source:
            siteOverride === undefined
              ? "SWITCHBOARD_URL (site URL derived from it; set SWITCHBOARD_SITE_URL to override)"
              : "SWITCHBOARD_URL and SWITCHBOARD_SITE_URL",
        }
      : {
          kind: "dataDir",
          dataDir: nonEmpty(env.SWITCHBOARD_DATA_DIR) ?? defaultDataDir(),
        };
  return {
    backend,
    token: nonEmpty(env.SWITCHBOARD_TOKEN) ?? tokenFromFile(env),
    waitTimeoutMs: millis(
      env.SWITCHBOARD_WAIT_TIMEOUT_MS,
      DEFAULTS.waitTimeoutMs,
    ),
    approvalTimeoutMs: millis(
      env.SWITCHBOARD_APPROVAL_TIMEOUT_MS,
      DEFAULTS.approvalTimeoutMs,
    ),
    connectTimeoutMs: millis(
      env.SWITCHBOARD_CONNECT_TIMEOUT_MS,
      DEFAULTS.connectTimeoutMs,
    ),
  };
}

function tokenFromFile(env: NodeJS.ProcessEnv): string | undefined {
  const path = nonEmpty(env.SWITCHBOARD_TOKEN_FILE);
  if (path === undefined) return undefined;
  try {
    return nonEmpty(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `SWITCHBOARD_TOKEN_FILE ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function millis(value: string | undefined, fallback: number): number {
  const parsed = Number(nonEmpty(value));
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
