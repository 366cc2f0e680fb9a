/**
 * The Tasks view: one group per board column (a page of compact cards each,
 * live), task lines with assignee and lease, and a way to the board when a
 * column holds more than the sidebar loads.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { TaskStatus } from "../../convex/validators";
import type { ControlPlane } from "../contracts";
import { BOARD_ORDER, statusLabel } from "./format";
import type { TaskGroupNode, TaskTreeNode } from "./nodes";
import {
  buildTaskGroups,
  groupLabel,
  groupStartsExpanded,
  hasLeases,
  statusIcon,
  taskContextValue,
  taskDescription,
  taskIcon,
  taskLabel,
  taskTooltipRows,
  type ColumnPage,
} from "./taskTree";
import { LiveTreeProvider, rowsTooltip, themeIcon } from "./treeBase";

/** Cards per column the sidebar loads; the board pages through the rest. */
export const SIDEBAR_PAGE = 50;

export class TasksTreeProvider extends LiveTreeProvider<TaskTreeNode> {
  private readonly columns = new Map<TaskStatus, ColumnPage>();
  private groups: TaskGroupNode[] = [];

  constructor(plane: ControlPlane) {
    super(plane);
    for (const status of BOARD_ORDER) {
      this.track(
        plane.watch(
          api.board.column,
          (session) => ({
            projectId: session.projectId as Id<"projects">,
            status,
            paginationOpts: { numItems: SIDEBAR_PAGE, cursor: null },
          }),
          (page) => {
            this.columns.set(status, page);
            this.groups = buildTaskGroups(this.columns);
            this.loaded();
          },
          this.failed,
        ),
      );
    }
    this.watchNames();
    // Lease countdowns ("12 min left") go stale with the clock, not with data.
    this.tick(60_000, () => hasLeases(this.groups));
  }

  /** The view's welcome content (package.json viewsWelcome) covers "not connected" and "no tasks". */
  protected override emptyMessage(): undefined {
    return undefined;
  }

  protected clear(): void {
    this.columns.clear();
    this.names = new Map();
    this.groups = [];
  }

  getChildren(element?: TaskTreeNode): TaskTreeNode[] {
    if (element === undefined) return this.groups;
    if (element.kind !== "taskGroup") return [];
    const children: TaskTreeNode[] = element.cards.map((card) => ({
      kind: "task",
      card,
    }));
    if (element.hasMore) {
      children.push({ kind: "moreOnBoard", status: element.status });
    }
    return children;
  }

  getTreeItem(element: TaskTreeNode): vscode.TreeItem {
    switch (element.kind) {
      case "taskGroup":
        return this.groupItem(element);
      case "moreOnBoard": {
        const item = new vscode.TreeItem("More on the board…");
        item.id = `more:${element.status}`;
        item.iconPath = new vscode.ThemeIcon("ellipsis");
        item.tooltip = `${statusLabel(element.status)} has more tasks than the sidebar loads.`;
        item.command = {
          command: "switchboard.openBoard",
          title: "Open Board",
        };
        return item;
      }
      case "task":
        return this.taskItem(element.card);
    }
  }

  private groupItem(group: TaskGroupNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      groupLabel(group),
      groupStartsExpanded(group.status)
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed,
    );
    // A stable id keeps the person's expand/collapse choice across repaints.
    item.id = `status:${group.status}`;
    item.iconPath = themeIcon(statusIcon(group.status));
    item.contextValue = "taskGroup";
    return item;
  }

  private taskItem(card: TaskGroupNode["cards"][number]): vscode.TreeItem {
    const projectKey = this.plane.session?.projectKey ?? "";
    const now = Date.now();
    const label = taskLabel(projectKey, card);
    const item = new vscode.TreeItem(label);
    item.id = `task:${card._id}`;
    item.description = taskDescription(card, this.names, now);
    item.iconPath = themeIcon(taskIcon(card));
    item.tooltip = rowsTooltip(label, taskTooltipRows(card, this.names, now));
    item.contextValue = taskContextValue(card);
    item.command = {
      command: "switchboard.openTask",
      title: "Open Task",
      arguments: [{ kind: "task", card }],
    };
    return item;
  }
}
