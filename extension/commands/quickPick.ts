/** Quick-pick helpers the commands share. */
import * as vscode from "vscode";

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
