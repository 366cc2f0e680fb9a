/**
 * Where the connection's commands fail: the error is logged with the command's
 * name and shown as one short line. Expected failures (a ConvexError with a code)
 * are warnings; anything else is logged as an error, stack included.
 */
import * as vscode from "vscode";
import { errorCode, userMessage } from "./errors";

export function registerCommand(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  id: string,
  handler: (...args: unknown[]) => Promise<void>,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (error) {
        reportFailure(log, id, error);
      }
    }),
  );
}

export function reportFailure(
  log: vscode.LogOutputChannel,
  where: string,
  error: unknown,
): void {
  const message = userMessage(error);
  if (errorCode(error) !== undefined) log.warn(`${where}: ${message}`);
  else log.error(`${where} failed:`, error);
  vscode.window
    .showErrorMessage(`Switchboard: ${message}`)
    .then(undefined, () => undefined);
}
