/**
 * The sandbox part as activation sees it: command handlers that load
 * dist/sandboxes.js (index.ts) on first use, and the runner started once the
 * window is connected, not during activate(). Only this file is in
 * dist/extension.js; it knows the other bundle by its type alone.
 */
import { join } from "node:path";
import * as vscode from "vscode";
import type { ControlPlane } from "../contracts";
import { registerCommand } from "../util/commandBoundary";
import type { LoadedSandboxes } from "./index";

/** The commands dist/sandboxes.js implements (package.json contributes them). */
export const SANDBOX_COMMANDS = [
  "switchboard.openSandbox",
  "switchboard.attachSandbox",
  "switchboard.changeSandbox",
] as const;

type SandboxBundle = {
  startSandboxes(
    context: vscode.ExtensionContext,
    plane: ControlPlane,
    log: vscode.LogOutputChannel,
  ): LoadedSandboxes;
};

export function registerSandboxes(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
  log: vscode.LogOutputChannel,
): void {
  let loaded: LoadedSandboxes | undefined;
  const load = (): LoadedSandboxes => {
    if (loaded === undefined) {
      // Our own file next to this bundle, loaded at run time (so not bundled here).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
      const bundle = require(
        join(context.extensionPath, "dist", "sandboxes.js"),
      ) as SandboxBundle;
      loaded = bundle.startSandboxes(context, plane, log);
    }
    return loaded;
  };
  for (const id of SANDBOX_COMMANDS) {
    registerCommand(context, log, id, async (...args) => {
      const handler = load().commands[id];
      if (handler === undefined)
        throw new Error(`${id} is not in dist/sandboxes.js`);
      await handler(...args);
    });
  }
  // The runner claims work (agents' requests too) as soon as there is a session.
  const startWhenConnected = (): void => {
    if (plane.session === null || loaded !== undefined) return;
    try {
      load();
    } catch (error) {
      log.error("Could not start sandboxes:", error);
    }
  };
  context.subscriptions.push(plane.onDidChangeSession(startWhenConnected));
  startWhenConnected();
}
