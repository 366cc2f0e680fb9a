// Composition root of the extension host: creates the log, the control plane,
// the status bar and the panels, hands them to the views, commands and
// notifications, and starts connecting in the background. `activate()` itself
// stays fast (a benchmark reads the "activated in" line): nothing here awaits
// the backend.
import * as vscode from "vscode";
import { registerConnectionCommands } from "./connection/commands";
import { createConnection } from "./connection/environment";
import type { ControlPlane } from "./contracts";
import { registerCommands } from "./commands";
import { useLog } from "./commands/log";
import { registerApprovalNotifications } from "./notifications";
import { registerSandboxes } from "./sandboxes/lazy";
import { StatusBar } from "./statusBar";
import { errorMessage } from "./util/errors";
import { registerViews } from "./views";
import { WebviewPanels } from "./webviews/panels";

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel("Switchboard", { log: true });
  context.subscriptions.push(log);
  useLog(log);

  const connection = createConnection(context, log);
  const { plane } = connection;
  context.subscriptions.push(plane);
  context.subscriptions.push(bindConnectedContextKey(plane, log));
  context.subscriptions.push(new StatusBar(plane));
  const panels = new WebviewPanels(context.extensionUri, plane, log);
  context.subscriptions.push(panels);

  // The other parts register their own disposables; one failing must not stop the rest.
  const parts: [string, () => void][] = [
    ["views", () => registerViews(context, plane, panels)],
    ["commands", () => registerCommands(context, plane, panels)],
    [
      "approval notifications",
      () => registerApprovalNotifications(context, plane, panels),
    ],
    ["sandboxes", () => registerSandboxes(context, plane, log)],
    [
      "connection commands",
      () => registerConnectionCommands(context, connection),
    ],
  ];
  for (const [name, register] of parts) {
    try {
      register();
    } catch (error) {
      log.error(`Could not set up the ${name}:`, error);
    }
  }

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (
        event.affectsConfiguration("switchboard.backendUrl") ||
        event.affectsConfiguration("switchboard.siteUrl")
      ) {
        void plane.restartIfSettingsChanged();
      }
    }),
  );

  // In the background: finding or starting the backend can take seconds.
  void plane.start();
  log.info(
    `Switchboard activated in ${Math.round(performance.now() - started)} ms`,
  );
}

export function deactivate(): void {
  // Everything, including a local backend this window started, is disposed
  // through context.subscriptions.
}

/** `switchboard.connected` drives the views' welcome content and palette `when` clauses. */
function bindConnectedContextKey(
  plane: ControlPlane,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  let last: boolean | undefined;
  const apply = (): void => {
    const connected = plane.state.status === "connected";
    if (connected === last) return;
    last = connected;
    vscode.commands
      .executeCommand("setContext", "switchboard.connected", connected)
      .then(undefined, (error: unknown) =>
        log.warn(`Could not set switchboard.connected: ${errorMessage(error)}`),
      );
  };
  apply();
  return plane.onDidChangeState(apply);
}
