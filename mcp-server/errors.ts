/**
 * The one error wrapper: whatever goes wrong in a tool call becomes a tool
 * result with `isError: true` and text a model can act on (what was wrong,
 * what to do next), never a JSON-RPC error that reads as a broken server.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** The backend could not be reached; the message says where we looked. */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

/** The server is missing configuration (no token, no backend): nothing to retry. */
export class NotConfiguredError extends Error {
  override name = "NotConfiguredError";
}

/** Input the server refused before calling the backend; names the field. */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
}

type Coded = { code: string; message: string };

/** A ConvexError's `{code, message}` (convex/model/errors.ts), however it was bundled. */
export function codedError(error: unknown): Coded | null {
  if (!(error instanceof Error) || !("data" in error)) return null;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null) return null;
  const { code, message } = data as Record<string, unknown>;
  return typeof code === "string" && typeof message === "string"
    ? { code, message }
    : null;
}

const NEXT_STEP: Record<string, string> = {
  UNAUTHENTICATED:
    "The agent token was refused (revoked or unknown). Ask a person to mint a new one (switchboard-mcp setup-claude) and restart this MCP server.",
  FORBIDDEN:
    "This agent may not do that. get_context lists its scopes; ask a person if it needs more.",
  NOT_FOUND: "Check the id: get_context and list_tasks show valid ones.",
  INVALID_ARGUMENT: "Fix the input and call again.",
  ILLEGAL_TRANSITION: "Choose one of the allowed statuses.",
  DEPENDENCY_CYCLE: "Drop the dependency that closes the cycle.",
  DEPENDENCIES_OPEN:
    "Finish the tasks it depends on first, or move it to blocked.",
  NOT_CLAIMABLE:
    "Claim another task: list_tasks with readyOnly: true shows what is free.",
  NOTHING_READY:
    "Nothing to claim now: wait_for_updates waits for changes, or create_task adds work.",
  LEASE_LOST:
    "Stop working on it: your changes to it would be refused. claim_task it again if it is free, or pick other work.",
  ALREADY_RESOLVED: "Nothing left to do on it.",
  ALREADY_EXISTS: "Use the existing one.",
  MISCONFIGURED:
    "The Switchboard deployment is misconfigured; a person must fix it.",
};

export function errorText(error: unknown): string {
  const coded = codedError(error);
  if (coded !== null) {
    const next = NEXT_STEP[coded.code];
    return `Error (${coded.code}): ${coded.message}${next === undefined ? "" : ` ${next}`}`;
  }
  if (error instanceof BackendUnavailableError) {
    return `Error (BACKEND_UNREACHABLE): ${error.message} Retry later; if it persists, a person must start the backend or fix the MCP server's configuration.`;
  }
  if (error instanceof NotConfiguredError) {
    return `Error (NOT_CONFIGURED): ${error.message}`;
  }
  if (error instanceof InvalidInputError) {
    return `Error (INVALID_ARGUMENT): ${error.message} Fix the input and call again.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  // Convex's own argument validation, should a value slip past ours.
  const validation = /ArgumentValidationError:?\s*([\s\S]*)/.exec(message);
  if (validation !== null) {
    return `Error (INVALID_ARGUMENT): ${firstLines(validation[1] ?? "")} Fix the input and call again.`;
  }
  return `Error (INTERNAL): Switchboard failed: ${firstLines(message)}`;
}

export function errorResult(error: unknown): CallToolResult {
  return { content: [{ type: "text", text: errorText(error) }], isError: true };
}

/** Server errors carry request ids and stack-like tails; a model needs the first lines. */
function firstLines(text: string): string {
  return text
    .replace(/\[Request ID: [^\]]*\]\s*/g, "")
    .replace(/^Server Error\s*/, "")
    .replace(/\s*Called by client\s*/g, " ")
    .replace(/\.Path:/g, ". Path:")
    .split("\n")
    .slice(0, 4)
    .join(" ")
    .trim();
}
