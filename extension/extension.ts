// Composition root of the extension host. A shell for now: the local backend, the
// Convex client and the views arrive with their issues.
import * as vscode from "vscode";

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand("switchboard.showStatus", async () => {
      await vscode.window.showInformationMessage(
        "Switchboard: not connected yet (the local backend arrives with issue 3)",
      );
    }),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
