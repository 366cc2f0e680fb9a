/**
 * The status bar item: `$(plug) Switchboard: <state>`, the project and backend
 * kind once connected, the warning background when the person has to act.
 * A click shows the connection status (switchboard.showStatus).
 */
import * as vscode from "vscode";
import { statusBarContent } from "./connection/describe";
import type { ControlPlane } from "./contracts";
import { Disposable } from "./util/disposable";

export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly plane: ControlPlane) {
    super();
    this.item = this.register(
      vscode.window.createStatusBarItem(
        "switchboard.status",
        vscode.StatusBarAlignment.Left,
        0,
      ),
    );
    this.item.name = "Switchboard";
    this.item.command = "switchboard.showStatus";
    this.register(plane.onDidChangeState(() => this.update()));
    this.register(plane.onDidChangeSession(() => this.update()));
    this.update();
    this.item.show();
  }

  private update(): void {
    const content = statusBarContent(this.plane.state, this.plane.session);
    this.item.text = content.text;
    this.item.tooltip = content.tooltip;
    this.item.backgroundColor = content.warning
      ? new vscode.ThemeColor("statusBarItem.warningBackground")
      : undefined;
  }
}
