/**
 * Entry of dist/sandboxes.js, the sandbox part of the extension host (this
 * window's runner and the sandbox commands' work). It is a bundle of its own,
 * loaded on first need by lazy.ts, so simple-git, the dev container and
 * Docker code stay out of activation (its budget is 100 ms).
 */
import type * as vscode from "vscode";
import type { ControlPlane } from "../contracts";
import { sandboxCommands } from "./sandboxCommands";
import { SandboxService } from "./sandboxService";

export type LoadedSandboxes = {
  /** The sandbox commands' handlers, by command id. */
  readonly commands: Readonly<
    Record<string, (...args: unknown[]) => Promise<void>>
  >;
};

export function startSandboxes(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
  log: vscode.LogOutputChannel,
): LoadedSandboxes {
  const service = new SandboxService(context, plane, log);
  context.subscriptions.push(service);
  return { commands: sandboxCommands(plane, service) };
}
