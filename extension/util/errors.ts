/**
 * Turning failures into one line a person can act on. Expected backend
 * failures are ConvexErrors whose `data` is `{ code, message }`
 * (convex/model/errors.ts); this reads them structurally rather than with
 * `instanceof`, because the extension bundle and the client library may hold
 * different copies of the ConvexError class. No vscode import.
 */

/** The thrown value as text, for logs (userMessage is for people). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An expected failure raised by the extension itself (not connected, nothing to pick). */
export class UserError extends Error {
  override name = "UserError";
}

type ConvexErrorLike = Error & { data: unknown };

function isConvexError(error: unknown): error is ConvexErrorLike {
  return (
    error instanceof Error &&
    "data" in error &&
    (error.name === "ConvexError" ||
      (error as unknown as Record<symbol, unknown>)[
        Symbol.for("ConvexError")
      ] === true)
  );
}

function field(data: unknown, key: "code" | "message"): string | undefined {
  if (typeof data !== "object" || data === null || !(key in data)) {
    return undefined;
  }
  const value = (data as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

/** The ConvexError's code ("ALREADY_RESOLVED", …), if the error is one. */
export function errorCode(error: unknown): string | undefined {
  return isConvexError(error) ? field(error.data, "code") : undefined;
}

/** The text to show: the ConvexError's own message, else the error's, else a generic line. */
export function userMessage(error: unknown): string {
  if (isConvexError(error)) {
    if (typeof error.data === "string") return error.data;
    const message = field(error.data, "message");
    if (message !== undefined) return message;
  }
  if (error instanceof Error && error.message !== "") return error.message;
  if (typeof error === "string" && error !== "") return error;
  return "Something went wrong; see the Switchboard log (Output view).";
}
