/**
 * Wires the vscode-free control plane to VS Code: settings, SecretStorage,
 * workspaceState, the extension's storage folder and its bundled backend.
 */
import { join } from "node:path";
import * as vscode from "vscode";
import type { Logger } from "../util/log";
import { lazyClientFactory } from "./client";
import { ConvexControlPlane } from "./controlPlane";
import {
  bundledBackendCommand,
  LocalBackend,
  type BackendCommand,
} from "./localBackend";
import {
  PROJECT_MEMORY_KEY,
  SIGN_IN_SECRET_KEY,
  type BackendSettings,
} from "./settings";

/** What the connection commands need besides the plane. */
export interface ConnectionEnvironment {
  readonly plane: ConvexControlPlane;
  /** How to run the bundled `switchboard-backend` (serve, seed). */
  readonly backendCommand: BackendCommand;
  readonly log: vscode.LogOutputChannel;
}

export function readBackendSettings(): BackendSettings {
  const config = vscode.workspace.getConfiguration("switchboard");
  return {
    backendUrl: config.get<string>("backendUrl", "").trim(),
    siteUrl: config.get<string>("siteUrl", "").trim(),
  };
}

/** The plane for this window. Nothing connects until `plane.start()`. */
export function createConnection(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
): ConnectionEnvironment {
  const logger: Logger = log;
  const backendCommand = bundledBackendCommand(
    join(context.extensionPath, "dist", "local-backend.js"),
  );
  const local = new LocalBackend({
    dataDir: join(context.globalStorageUri.fsPath, "backend"),
    command: backendCommand,
    log: logger,
  });
  const plane = new ConvexControlPlane({
    log: logger,
    settings: readBackendSettings,
    readSecret: async () => await context.secrets.get(SIGN_IN_SECRET_KEY),
    local,
    createClient: lazyClientFactory(
      join(context.extensionPath, "dist", "convexClient.js"),
      logger,
    ),
    preferredProjectId: () =>
      context.workspaceState.get<string>(PROJECT_MEMORY_KEY),
  });
  return { plane, backendCommand, log };
}
