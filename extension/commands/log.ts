/**
 * The log the sidebar, the commands and the notifications write to: the
 * extension's one "Switchboard" channel, handed over by activate() (useLog), so
 * a failure a person saw as a one-line message has its full context next to
 * the connection's. Secrets (agent tokens) are never passed here.
 */
import * as vscode from "vscode";

let channel: vscode.LogOutputChannel | undefined;

/** Called by activate() with the channel it created. */
export function useLog(shared: vscode.LogOutputChannel): void {
  channel = shared;
}

/** The channel; one of its own only where activate() did not hand one over (tests). */
export function uiLog(
  context: vscode.ExtensionContext,
): vscode.LogOutputChannel {
  if (channel === undefined) {
    const created = vscode.window.createOutputChannel("Switchboard", {
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
