/**
 * The Runs view: the project's workflow runs, newest first, and under each
 * run its steps with their live states. Steps are subscribed to only while
 * their run is expanded: each subscription carries the whole run (up to
 * 2,000 steps and its latest events), which the list of runs does not need.
 * An empty list shows package.json's viewsWelcome, which offers to start one.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import type {
  RunDetail,
  RunNode,
  RunStepNode,
  RunTreeNode,
  WorkflowRun,
} from "./nodes";
import {
  buildStepNodes,
  runContextValue,
  runDescription,
  runIcon,
  runLabel,
  runTooltipRows,
  stepContextValue,
  stepDescription,
  stepIcon,
  stepTooltipRows,
} from "./runTree";
import { LiveTreeProvider, rowsTooltip, themeIcon } from "./treeBase";

type StepWatch = {
  subscription?: vscode.Disposable;
  detail?: RunDetail;
  error?: string;
};

export class RunsTreeProvider extends LiveTreeProvider<RunTreeNode> {
  private runs: WorkflowRun[] = [];
  /** Live step subscriptions by run id, one per expanded run. */
  private readonly stepWatches = new Map<string, StepWatch>();

  constructor(plane: ControlPlane) {
    super(plane);
    this.track(
      plane.watch(
        api.workflowRuns.list,
        (session) => ({ projectId: session.projectId as Id<"projects"> }),
        (runs) => {
          this.runs = runs;
          this.forgetRunsNotListed();
          this.loaded();
        },
        this.failed,
      ),
    );
    this.track({ dispose: () => this.unwatchAllSteps() });
    // Ages ("5 min ago") go stale with the clock, not with data.
    this.tick(60_000);
  }

  override bind(view: vscode.TreeView<RunTreeNode>): void {
    super.bind(view);
    this.track(
      view.onDidCollapseElement(({ element }) => {
        if (element.kind === "run") this.unwatchSteps(element.run._id);
      }),
    );
  }

  protected clear(): void {
    this.runs = [];
    this.unwatchAllSteps();
  }

  getChildren(element?: RunTreeNode): RunTreeNode[] {
    if (element === undefined) {
      return this.runs.map((run) => ({ kind: "run", run }));
    }
    if (element.kind !== "run") return [];
    const runId = element.run._id;
    const watch = this.watchSteps(runId);
    if (watch.error !== undefined) {
      return [{ kind: "runNote", runId, text: watch.error }];
    }
    if (watch.detail === undefined) {
      return [{ kind: "runNote", runId, text: "Loading steps…" }];
    }
    return buildStepNodes(watch.detail.run, watch.detail);
  }

  getTreeItem(element: RunTreeNode): vscode.TreeItem {
    switch (element.kind) {
      case "run":
        return this.runItem(element);
      case "runStep":
        return this.stepItem(element);
      case "runNote": {
        const item = new vscode.TreeItem(element.text);
        item.id = `run:${element.runId}:note`;
        item.contextValue = "runNote";
        return item;
      }
    }
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const { run } = node;
    const now = Date.now();
    const label = runLabel(run);
    const item = new vscode.TreeItem(
      label,
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    // A stable id keeps the person's expand/collapse choice across repaints.
    item.id = `run:${run._id}`;
    item.description = runDescription(run, now);
    item.iconPath = themeIcon(runIcon(run));
    item.tooltip = rowsTooltip(label, runTooltipRows(run, now));
    item.contextValue = runContextValue(run);
    item.command = {
      command: "switchboard.openRun",
      title: "Open Run",
      arguments: [node],
    };
    return item;
  }

  private stepItem(node: RunStepNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.step.id);
    item.id = `run:${node.run._id}:step:${node.step.id}`;
    item.description = stepDescription(node);
    item.iconPath = themeIcon(stepIcon(node));
    item.tooltip = rowsTooltip(
      `${runLabel(node.run)}: ${node.step.id}`,
      stepTooltipRows(node, Date.now()),
    );
    item.contextValue = stepContextValue(node);
    item.command = {
      command: "switchboard.openRun",
      title: "Open Run",
      arguments: [node],
    };
    return item;
  }

  private watchSteps(runId: string): StepWatch {
    const existing = this.stepWatches.get(runId);
    if (existing !== undefined) return existing;
    // Registered before subscribing, so a value delivered at once finds it.
    const watch: StepWatch = {};
    this.stepWatches.set(runId, watch);
    watch.subscription = this.plane.watch(
      api.workflowRuns.get,
      () => ({ runId: runId as Id<"workflowRuns"> }),
      (detail) => {
        watch.detail = detail;
        watch.error = undefined;
        this.refresh();
      },
      (error) => {
        watch.error = `Could not load the steps: ${error.message}`;
        this.refresh();
      },
    );
    return watch;
  }

  private unwatchSteps(runId: string): void {
    this.stepWatches.get(runId)?.subscription?.dispose();
    this.stepWatches.delete(runId);
  }

  private unwatchAllSteps(): void {
    for (const runId of [...this.stepWatches.keys()]) this.unwatchSteps(runId);
  }

  /** Only the newest runs are listed; an older one's steps need no updates. */
  private forgetRunsNotListed(): void {
    const listed = new Set<string>(this.runs.map((run) => run._id));
    for (const runId of [...this.stepWatches.keys()]) {
      if (!listed.has(runId)) this.unwatchSteps(runId);
    }
  }
}
