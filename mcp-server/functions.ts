/**
 * The registered Convex functions behind the tools, by name, so a tool's
 * input schema can be read from the function itself (`exportArgs()`: the
 * JSON of its argument validators, exactly what the backend enforces).
 * Importing the modules only registers functions; nothing runs here.
 */
import { getFunctionName, type FunctionReference } from "convex/server";
import * as agentApprovals from "../convex/agentApprovals";
import * as agentContext from "../convex/agentContext";
import * as agentTasks from "../convex/agentTasks";
import * as agentThreads from "../convex/agentThreads";
import * as agentWorkflows from "../convex/agentWorkflows";
import * as sandboxes from "../convex/sandboxes";
import * as updates from "../convex/updates";
import * as usage from "../convex/usage";
import type { ArgsValidatorJSON } from "./jsonSchema";

const MODULES: Record<string, Record<string, unknown>> = {
  agentApprovals,
  agentContext,
  agentTasks,
  agentThreads,
  agentWorkflows,
  sandboxes,
  updates,
  usage,
};

type Registered = { exportArgs(): string };

function isRegistered(value: unknown): value is Registered {
  return (
    typeof value === "function" &&
    "exportArgs" in value &&
    typeof value.exportArgs === "function"
  );
}

/** The argument validators of the function `ref` names, as Convex exports them. */
export function argsValidatorOf(
  ref: FunctionReference<"query" | "mutation">,
): ArgsValidatorJSON {
  const name = getFunctionName(ref);
  const [moduleName = "", exportName = "default"] = name.split(":");
  const registered = MODULES[moduleName]?.[exportName];
  if (!isRegistered(registered)) {
    throw new Error(
      `${name} is not a registered function in mcp-server/functions.ts.`,
    );
  }
  const json = JSON.parse(registered.exportArgs()) as {
    type: string;
  };
  if (json.type !== "object") {
    throw new Error(`${name} must declare its arguments as an object.`);
  }
  return json as ArgsValidatorJSON;
}
