/** Turning whatever was thrown into one line a person can act on. */

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The `message` of a Switchboard `ConvexError({ code, message })` (convex/model/errors.ts),
 * else the error's own message. Read structurally: the error may come from another
 * copy of the convex package (a webview bundle, a test).
 */
export function userMessage(error: unknown): string {
  if (error instanceof Error && "data" in error) {
    const data: unknown = error.data;
    if (typeof data === "object" && data !== null && "message" in data) {
      const message: unknown = data.message;
      if (typeof message === "string") return message;
    }
  }
  return errorMessage(error);
}

/** The `code` of a Switchboard ConvexError, if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("data" in error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null || !("code" in data)) {
    return undefined;
  }
  return typeof data.code === "string" ? data.code : undefined;
}
