/**
 * The one place commands fail: every handler runs inside `guard`, which logs
 * the error with the command's name and shows its short message. Expected
 * failures (ConvexError, UserError) are logged as warnings, bugs as errors.
 */
import * as vscode from "vscode";
import { errorCode, errorMessage, UserError } from "./errors";

export type CommandHandler = (...args: unknown[]) => Promise<void>;

export function registerGuarded(
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
        report(log, id, error);
      }
    }),
  );
}

/** Logs and shows a failure; also for work that runs outside a command (notification buttons). */
export function report(
  log: vscode.LogOutputChannel,
  where: string,
  error: unknown,
): void {
  const message = errorMessage(error);
  if (error instanceof UserError || errorCode(error) !== undefined) {
    log.warn(`${where}: ${message}`);
  } else {
    log.error(`${where} failed:`, error);
  }
  void vscode.window.showErrorMessage(`Switchboard: ${message}`);
}

/**
 * One choice from a list with a preselected item (showQuickPick cannot
 * preselect), so Enter takes the default. Resolves undefined when dismissed.
 */
export async function pickWithDefault<T extends vscode.QuickPickItem>(
  items: readonly T[],
  options: { title: string; placeholder: string; active?: T },
): Promise<T | undefined> {
  const quickPick = vscode.window.createQuickPick<T>();
  try {
    quickPick.title = options.title;
    quickPick.placeholder = options.placeholder;
    quickPick.items = items;
    if (options.active !== undefined) quickPick.activeItems = [options.active];
    return await new Promise<T | undefined>((resolve) => {
      quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
    });
  } finally {
    quickPick.dispose();
  }
}
