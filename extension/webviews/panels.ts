/**
 * `Panels` (contracts.ts): one webview panel per view kind. Opening a view that
 * is open reveals it; a single-item view (task, thread, approvals, run) opened
 * for another item shows that item in the same panel.
 */
import type * as vscode from "vscode";
import type { ControlPlane, Panels } from "../contracts";
import { Disposable } from "../util/disposable";
import { errorMessage } from "../util/errors";
import type { Logger } from "../util/log";
import type { ViewKind, ViewTarget } from "../../webview/protocol/host";
import { isSingleItem, normalizeTarget } from "./panelContent";
import { ViewPanel } from "./viewPanel";

export class WebviewPanels extends Disposable implements Panels {
  private readonly open_ = new Map<ViewKind, ViewPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly plane: ControlPlane,
    private readonly log: Logger,
  ) {
    super();
    this.register({
      dispose: () => {
        for (const panel of [...this.open_.values()]) panel.dispose();
        this.open_.clear();
      },
    });
  }

  open(view: ViewKind, target?: ViewTarget): void {
    if (this.isDisposed) return;
    const wanted = normalizeTarget(target);
    try {
      const existing = this.open_.get(view);
      if (existing !== undefined) {
        if (isSingleItem(view)) existing.retarget(wanted);
        existing.reveal();
        return;
      }
      const panel = new ViewPanel(
        view,
        wanted,
        {
          extensionUri: this.extensionUri,
          plane: this.plane,
          log: this.log,
          open: (next, nextTarget) => this.open(next, nextTarget),
        },
        () => {
          if (this.open_.get(view) === panel) this.open_.delete(view);
        },
      );
      this.open_.set(view, panel);
    } catch (error) {
      // Logged here with the view's name; the caller's command boundary shows it.
      this.log.error(`Could not open the ${view} view: ${errorMessage(error)}`);
      throw error;
    }
  }
}
