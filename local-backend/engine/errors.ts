/**
 * Errors the engine raises about how a function used Convex (a bad index
 * range, an unsupported feature, a limit): they reach the caller as the
 * function's error message, like the real backend's.
 */
export class UsageError extends Error {
  override name = "UsageError";
}

export function fail(message: string): never {
  throw new UsageError(message);
}

export function unsupported(feature: string): never {
  throw new UsageError(
    `${feature} is not supported by the Switchboard local backend. ` +
      "Run this project on Convex cloud or a self-hosted Convex backend to use it.",
  );
}
