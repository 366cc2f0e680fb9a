/**
 * What a tool is: one registry entry naming the Convex function it calls.
 * Its input schema is not written here: it is derived from that function's
 * argument validators (plus, for the few tools that wait, the wait's own
 * arguments, declared once in Convex's validator JSON form).
 */
import type { ObjectFieldType } from "convex/values";
import type { FunctionReference } from "convex/server";
import type {
  CallToolResult,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import type { Permission } from "../convex/model/permissions";
import type { McpServerConfig } from "./config";
import type { Connection } from "./connection";

export type ToolContext = {
  connection: Connection;
  config: McpServerConfig;
  /** The function's arguments, checked against its validators. */
  args: Record<string, unknown>;
  /** The arguments the MCP server handles itself (`local`), checked too. */
  local: Record<string, unknown>;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
  /** Tells the client the call is alive (a progress notification), if it asked for progress. */
  progress: (message: string) => Promise<void>;
};

export type ToolRunner = (context: ToolContext) => Promise<CallToolResult>;

type Callable =
  | { kind: "query"; function: FunctionReference<"query"> }
  | { kind: "mutation"; function: FunctionReference<"mutation"> };

export type ToolDefinition = Callable & {
  name: string;
  title: string;
  /** Written for a model: what it does, when to use it, what comes back. */
  description: string;
  annotations: ToolAnnotations;
  /** Agent scopes the tool needs; tools/list hides it from tokens without them. */
  scopes: readonly Permission[];
  /** Per-argument hints for the model; each must name an argument. */
  hints?: Readonly<Record<string, string>>;
  /** Arguments the server handles itself (how long to wait), as validator JSON. */
  local?: Readonly<Record<string, ObjectFieldType>>;
  /** How to run it; by default the function is called and its result returned as JSON. */
  run?: ToolRunner;
};

/** A result as one JSON text block: compact, since it lands in a model's context. */
export function jsonResult(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }] };
}

/** Calls the tool's function with the checked arguments. */
export async function callFunction(
  tool: Callable,
  connection: Connection,
  args: Record<string, unknown>,
): Promise<unknown> {
  return tool.kind === "query"
    ? await connection.query(tool.function, args)
    : await connection.mutation(tool.function, args);
}
