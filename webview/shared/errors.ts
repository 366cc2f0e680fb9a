/**
 * Turning whatever a Convex call threw into one line for a person. Expected
 * failures are `ConvexError({ code, message })` (see convex/model/errors.ts);
 * anything else is a bug or an outage and gets a generic prefix.
 */
import { ConvexError } from "convex/values";

export interface ErrorInfo {
  /** The server's stable code (ILLEGAL_TRANSITION, FORBIDDEN…), when it sent one. */
  readonly code?: string;
  readonly message: string;
}

function fromData(data: unknown): ErrorInfo | undefined {
  if (typeof data === "string" && data !== "") return { message: data };
  if (typeof data !== "object" || data === null) return undefined;
  const { code, message } = data as { code?: unknown; message?: unknown };
  if (typeof message !== "string" || message === "") return undefined;
  return typeof code === "string" ? { code, message } : { message };
}

/**
 * Convex prefixes server errors with "[CONVEX M(tasks:move)] [Request ID: …]
 * Server Error" and a stack; people need the sentence, not the envelope.
 */
function cleanMessage(message: string): string {
  const uncaught = /Uncaught (?:\w*Error: )?(.+)/.exec(message);
  const line = (uncaught?.[1] ?? message)
    .replace(/^\[CONVEX [^\]]*\]\s*/, "")
    .replace(/^\[Request ID: [^\]]*\]\s*/, "")
    .split("\n")[0]
    ?.trim();
  return line === undefined || line === "" ? "Unknown error" : line;
}

/** Also a ConvexError from another copy of the library (the extension host's, a test's). */
function isConvexError(error: unknown): error is { data?: unknown } {
  if (error instanceof ConvexError) return true;
  if (typeof error !== "object" || error === null) return false;
  return (
    (error as { name?: unknown }).name === "ConvexError" ||
    (error as Record<symbol, unknown>)[Symbol.for("ConvexError")] === true
  );
}

/**
 * What a ConvexError says (its `data`: `{ code, message }` or a string), or
 * undefined for any other error. The one reader of it, for the webviews and
 * the extension host alike.
 */
export function convexErrorInfo(error: unknown): ErrorInfo | undefined {
  return isConvexError(error) ? fromData(error.data) : undefined;
}

export function describeError(error: unknown): ErrorInfo {
  const info = convexErrorInfo(error);
  if (info !== undefined) return info;
  if (error instanceof Error) return { message: cleanMessage(error.message) };
  return { message: cleanMessage(String(error)) };
}

export function errorText(error: unknown): string {
  return describeError(error).message;
}
