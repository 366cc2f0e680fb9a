/**
 * One log channel for the sidebar, the commands and the notifications, so a
 * failure a person saw as a one-line message has its full context somewhere.
 * Secrets (agent tokens) are never passed here.
 */
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

/** The channel, created on first use and disposed with the extension. */
export function uiLog(
  context: vscode.ExtensionContext,
): vscode.LogOutputChannel {
  if (channel === undefined) {
    const created = vscode.window.createOutputChannel("Switchboard UI", {
      log: true,
    });
    channel = created;
    context.subscriptions.push(created, {
      dispose: () => {
        if (channel === created) channel = undefined;
      },
    });
  }
  return channel;
}
