/** Errors a request can end with, on either side of the boundary. */
import type { ErrorBody, ErrorCode } from "./messages";

/** A request that failed: the other side answered with an error, or none came in time. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof RpcError)
    return { code: error.code, message: error.message };
  return { code: "handler_error", message: errorMessage(error) };
}
