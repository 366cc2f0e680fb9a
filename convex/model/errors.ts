/**
 * Expected failures are `ConvexError`s with a stable code that clients (the
 * extension, the MCP server, tests) branch on. Bugs stay plain `Error`s.
 */
import { ConvexError } from "convex/values";

export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_ARGUMENT",
  "ILLEGAL_TRANSITION",
  "DEPENDENCY_CYCLE",
  "DEPENDENCIES_OPEN",
  "NOT_CLAIMABLE",
  "NOTHING_READY",
  "LEASE_LOST",
  "ALREADY_RESOLVED",
  "ALREADY_EXISTS",
  "ALREADY_BOOTSTRAPPED",
  "MISCONFIGURED",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type SwitchboardErrorData = { code: ErrorCode; message: string };

export function fail(code: ErrorCode, message: string): never {
  throw new ConvexError<SwitchboardErrorData>({ code, message });
}

/** Reads the code of an error thrown by `fail`, wherever it surfaced. */
export function errorCode(error: unknown): ErrorCode | undefined {
  if (!(error instanceof ConvexError)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null || !("code" in data)) {
    return undefined;
  }
  const code = data.code;
  return ERROR_CODES.find((known) => known === code);
}
