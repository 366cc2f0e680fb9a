/** The one logging shape the network layer uses; the host decides where lines go. */
export type Logger = (message: string, error?: unknown) => void;

/** ": <stack or message>" for a log line; empty when there is no error. */
export function describeError(error: unknown): string {
  if (error === undefined) return "";
  if (error instanceof Error) return `: ${error.stack ?? error.message}`;
  return `: ${JSON.stringify(error) ?? typeof error}`;
}

export function stderrLogger(prefix: string): Logger {
  return (message, error) => {
    process.stderr.write(`[${prefix}] ${message}${describeError(error)}\n`);
  };
}
