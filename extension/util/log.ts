/**
 * What the extension logs through: the "Switchboard" LogOutputChannel satisfies it,
 * tests pass a memory logger. Never pass a secret (sign-in token, JWT, admin key).
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The ConvexClient's logger interface routed to ours; its verbose chatter is dropped. */
export function convexLoggerFor(log: Logger, prefix = "convex") {
  const join = (args: unknown[]): string =>
    `${prefix}: ${args
      .map((arg) => (arg instanceof Error ? arg.message : String(arg)))
      .join(" ")}`;
  return {
    log: (...args: unknown[]) => log.info(join(args)),
    warn: (...args: unknown[]) => log.warn(join(args)),
    error: (...args: unknown[]) => log.error(join(args)),
    logVerbose: () => undefined,
  };
}
