/** Sandboxes in the extension host: this window's runner and the sandbox commands. */
import type * as vscode from "vscode";
import { uiLog } from "../commands/log";
import type { ControlPlane } from "../contracts";
import { registerCommand } from "../util/commandBoundary";
import { sandboxCommands } from "./sandboxCommands";
import { SandboxService } from "./sandboxService";

export function registerSandboxes(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
): void {
  const log = uiLog(context);
  const service = new SandboxService(context, plane, log);
  context.subscriptions.push(service);
  for (const [id, handler] of Object.entries(sandboxCommands(plane, service))) {
    registerCommand(context, log, id, handler);
  }
}
