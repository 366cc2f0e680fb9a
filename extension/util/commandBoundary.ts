/**
 * The one place commands fail: every handler runs inside `registerCommand`'s
 * guard, which logs the error with the command's name and shows its short
 * message. Expected failures (a ConvexError with a code, a UserError) are
 * logged as warnings, bugs as errors with their stack.
 */
import * as vscode from "vscode";
import { errorCode, userMessage, UserError } from "./errors";

export type CommandHandler = (...args: unknown[]) => Promise<void>;

export function registerCommand(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  id: string,
  handler: CommandHandler,
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

/** Logs and shows a failure; also for work that runs outside a command (notification buttons). */
export function reportFailure(
  log: vscode.LogOutputChannel,
  where: string,
  error: unknown,
): void {
  const message = userMessage(error);
  if (error instanceof UserError || errorCode(error) !== undefined) {
    log.warn(`${where}: ${message}`);
  } else {
    log.error(`${where} failed:`, error);
  }
  vscode.window
    .showErrorMessage(`Switchboard: ${message}`)
    .then(undefined, () => undefined);
}
