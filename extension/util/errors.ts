/**
 * Turning failures into one line a person can act on. Expected backend
 * failures are ConvexErrors whose `data` is `{ code, message }`
 * (convex/model/errors.ts), read by the webviews' reader (convexErrorInfo),
 * which also knows a ConvexError from another copy of the class. No vscode import.
 */
import { convexErrorInfo } from "../../webview/shared/errors";

/** The thrown value as text, for logs (userMessage is for people). */
export { errorMessage } from "../../webview/protocol/errors";

/** An expected failure raised by the extension itself (not connected, nothing to pick). */
export class UserError extends Error {
  override name = "UserError";
}

/** The ConvexError's code ("ALREADY_RESOLVED", …), if the error is one. */
export function errorCode(error: unknown): string | undefined {
  return convexErrorInfo(error)?.code;
}

/** The text to show: the ConvexError's own message, else the error's, else a generic line. */
export function userMessage(error: unknown): string {
  const info = convexErrorInfo(error);
  if (info !== undefined) return info.message;
  if (error instanceof Error && error.message !== "") return error.message;
  if (typeof error === "string" && error !== "") return error;
  return "Something went wrong; see the Switchboard log (Output view).";
}
