/**
 * The registry made callable: each tool's input schema derived once from its
 * function's validators, the scope filter of tools/list, and tools/call with
 * input checks and the one error wrapper around everything.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { errorResult, InvalidInputError } from "./errors";
import { argsValidatorOf } from "./functions";
import { argsToInputSchema, type ArgsValidatorJSON } from "./jsonSchema";
import { TOOLS } from "./registry";
import type { Exchanged } from "./tokens";
import {
  callFunction,
  jsonResult,
  type ToolContext,
  type ToolDefinition,
} from "./toolTypes";
import { checkArgs } from "./validate";

export type PublishedTool = {
  definition: ToolDefinition;
  /** The function's argument validators plus the tool's local ones. */
  validator: ArgsValidatorJSON;
  /** What tools/list shows. */
  tool: Tool;
};

export function publishTools(
  definitions: readonly ToolDefinition[] = TOOLS,
): PublishedTool[] {
  return definitions.map((definition) => {
    const functionArgs = argsValidatorOf(definition.function);
    const local = definition.local ?? {};
    const clash = Object.keys(local).filter(
      (name) => name in functionArgs.value,
    );
    if (clash.length > 0) {
      throw new Error(
        `${definition.name}: local arguments ${clash.join(", ")} shadow the function's.`,
      );
    }
    const validator: ArgsValidatorJSON = {
      type: "object",
      value: { ...functionArgs.value, ...local },
    };
    const inputSchema = argsToInputSchema(
      validator,
      definition.hints,
    ) as Tool["inputSchema"];
    return {
      definition,
      validator,
      tool: {
        name: definition.name,
        title: definition.title,
        description: definition.description,
        inputSchema,
        annotations: definition.annotations,
      },
    };
  });
}

/**
 * The tools a caller may use. People (user tokens) act by role, so they see
 * all; so does a server that could not learn its scopes (the calls then
 * explain what is wrong, which an empty list could not).
 */
export function visibleTools(
  published: readonly PublishedTool[],
  identity: Exchanged | null,
): Tool[] {
  const scopes = identity?.scopes;
  if (scopes === undefined) return published.map((entry) => entry.tool);
  const granted = new Set(scopes);
  return published
    .filter((entry) =>
      entry.definition.scopes.every((scope) => granted.has(scope)),
    )
    .map((entry) => entry.tool);
}

export async function callTool(
  published: readonly PublishedTool[],
  name: string,
  rawArgs: unknown,
  context: Omit<ToolContext, "args" | "local">,
): Promise<CallToolResult> {
  const entry = published.find((candidate) => candidate.tool.name === name);
  try {
    if (entry === undefined) {
      throw new InvalidInputError(
        `There is no tool "${name}". The tools are: ${published.map((p) => p.tool.name).join(", ")}.`,
      );
    }
    const checked = checkArgs(entry.validator, rawArgs);
    const { definition } = entry;
    const args: Record<string, unknown> = {};
    const local: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(checked)) {
      if (definition.local !== undefined && field in definition.local) {
        local[field] = value;
      } else {
        args[field] = value;
      }
    }
    if (definition.run !== undefined) {
      return await definition.run({ ...context, args, local });
    }
    return jsonResult(await callFunction(definition, context.connection, args));
  } catch (error) {
    return errorResult(error);
  }
}
