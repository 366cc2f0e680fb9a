/**
 * Registers the palette and context-menu commands this part owns (see
 * package.json contributes.commands). showStatus, switchBackend and
 * seedDemoData belong to the connection and are registered there.
 */
import type * as vscode from "vscode";
import type { ControlPlane, Panels } from "../contracts";
import { agentCommands } from "./agentCommands";
import { approvalCommands } from "./approvalCommands";
import { registerAuditLog } from "./auditLog";
import { registerCommand, type CommandHandler } from "../util/commandBoundary";
import { uiLog } from "./log";
import { nativeSessionCommands } from "./nativeSessionCommands";
import { taskCommands } from "./taskCommands";
import { workflowCommands } from "./workflowCommands";

export function registerCommands(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
  panels: Panels,
): void {
  const log = uiLog(context);
  const handlers: Record<string, CommandHandler> = {
    ...taskCommands(plane, panels),
    ...approvalCommands(plane, panels),
    ...workflowCommands(plane, panels),
    ...nativeSessionCommands(plane, panels),
    ...agentCommands(plane, context.extensionPath),
    ...registerAuditLog(context, plane),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    registerCommand(context, log, id, handler);
  }
}
