/**
 * The sidebar's trees (package.json contributes.views): Tasks, Approvals,
 * Agents, Threads, Runs. Each provider keeps its own live subscriptions through the
 * ControlPlane, so the trees follow the backend without polling.
 */
import * as vscode from "vscode";
import type { ControlPlane, Panels } from "../contracts";
import { AgentsTreeProvider } from "./agentsView";
import { ApprovalsTreeProvider } from "./approvalsView";
import { RunsTreeProvider } from "./runsView";
import { TasksTreeProvider } from "./tasksView";
import type { LiveTreeProvider } from "./treeBase";
import { ThreadsTreeProvider } from "./threadsView";

function createView<T>(
  context: vscode.ExtensionContext,
  id: string,
  provider: LiveTreeProvider<T>,
): void {
  context.subscriptions.push(provider);
  const view = vscode.window.createTreeView(id, {
    treeDataProvider: provider,
    showCollapseAll: false,
  });
  context.subscriptions.push(view);
  provider.bind(view);
}

/**
 * `panels` is part of the shared signature; the trees open panels through the
 * commands (switchboard.openTask, …) so that a click and the context menu take
 * one path.
 */
export function registerViews(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
  panels: Panels,
): void {
  void panels;
  createView(context, "switchboard.tasks", new TasksTreeProvider(plane));
  createView(
    context,
    "switchboard.approvals",
    new ApprovalsTreeProvider(plane),
  );
  createView(context, "switchboard.agents", new AgentsTreeProvider(plane));
  createView(context, "switchboard.threads", new ThreadsTreeProvider(plane));
  createView(context, "switchboard.runs", new RunsTreeProvider(plane));
}
