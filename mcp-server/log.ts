/**
 * Logs go to stderr: on stdio, stdout carries the MCP protocol and nothing
 * else. Secrets are never passed here.
 */
export type Log = (message: string) => void;

export const stderrLog: Log = (message) => {
  process.stderr.write(`switchboard-mcp: ${message}\n`);
};

export const silentLog: Log = () => undefined;

/** The ConvexClient's logger interface, routed to `log`. */
export function convexLogger(log: Log) {
  const write = (...args: unknown[]) =>
    log(
      args
        .map((arg) => (arg instanceof Error ? arg.message : String(arg)))
        .join(" "),
    );
  return { log: write, warn: write, error: write, logVerbose: () => undefined };
}
