/**
 * switchboard-mcp over stdio, as Claude Code runs it. stdout carries the MCP
 * protocol and nothing else: console output from anything in this process is
 * routed to stderr, where the logs go. A malformed line on stdin is logged
 * and skipped (the SDK's transport reads line by line); the server exits
 * when stdin closes or on SIGINT/SIGTERM.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { configFromEnv, type BackendLocation } from "./config";
import { stderrLog } from "./log";
import { createServer } from "./server";

function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(`${args.map(String).join(" ")}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}

function describe(backend: BackendLocation): string {
  return backend.kind === "url"
    ? `${backend.url} (${backend.source})`
    : `the local backend of ${backend.dataDir}`;
}

export async function runStdio(env: NodeJS.ProcessEnv): Promise<void> {
  routeConsoleToStderr();
  // A stray rejection must not take the session down with it.
  process.on("unhandledRejection", (reason) => {
    stderrLog(`unhandled rejection: ${String(reason)}`);
  });
  const config = configFromEnv(env);
  const mcp = createServer(config, { log: stderrLog });
  const { server } = mcp;
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    mcp
      .close()
      .catch((error: unknown) => stderrLog(`while closing: ${String(error)}`))
      .finally(() => process.exit(0));
  };
  server.onclose = shutdown;
  process.stdin.once("end", shutdown);
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await server.connect(new StdioServerTransport());
  stderrLog(
    `ready on stdio; backend: ${describe(config.backend)}${config.token === undefined ? "; SWITCHBOARD_TOKEN is not set" : ""}`,
  );
}
