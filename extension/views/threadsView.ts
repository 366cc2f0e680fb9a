/** The Threads view: the project's most recently active conversations. */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import { relativeTime, truncate } from "./format";
import type { Thread, ThreadNode } from "./nodes";
import { LiveTreeProvider, rowsTooltip } from "./treeBase";

const THREADS_PAGE = 50;

export class ThreadsTreeProvider extends LiveTreeProvider<ThreadNode> {
  private threads: Thread[] = [];
  private hasMore = false;
  private hasLoaded = false;

  constructor(plane: ControlPlane) {
    super(plane);
    this.track(
      plane.watch(
        api.threads.list,
        (session) => ({
          projectId: session.projectId as Id<"projects">,
          paginationOpts: { numItems: THREADS_PAGE, cursor: null },
        }),
        ({ page, isDone }) => {
          this.threads = page;
          this.hasMore = !isDone;
          this.hasLoaded = true;
          this.loaded();
        },
        this.failed,
      ),
    );
    this.tick(60_000);
  }

  protected clear(): void {
    this.threads = [];
    this.hasMore = false;
    this.hasLoaded = false;
  }

  protected override emptyMessage(): string | undefined {
    const base = super.emptyMessage();
    if (base !== undefined || !this.hasLoaded) return base;
    if (this.threads.length === 0) return "No threads yet.";
    return this.hasMore
      ? `The ${THREADS_PAGE} most recently active threads.`
      : undefined;
  }

  getChildren(element?: ThreadNode): ThreadNode[] {
    if (element !== undefined) return [];
    return this.threads.map((thread) => ({ kind: "thread", thread }));
  }

  getTreeItem({ thread }: ThreadNode): vscode.TreeItem {
    const now = Date.now();
    const item = new vscode.TreeItem(truncate(thread.title, 80));
    item.id = `thread:${thread._id}`;
    item.description = relativeTime(thread.lastMessageAt, now);
    item.iconPath = new vscode.ThemeIcon(
      thread.taskId === undefined ? "comment-discussion" : "comment",
    );
    item.tooltip = rowsTooltip(thread.title, [
      ["Last message", relativeTime(thread.lastMessageAt, now)],
      ["Started", new Date(thread.createdAt).toLocaleString()],
      ["About", thread.taskId === undefined ? "the project" : "a task"],
    ]);
    item.contextValue = thread.taskId === undefined ? "thread" : "thread.task";
    item.command = {
      command: "switchboard.openThread",
      title: "Open Thread",
      arguments: [{ kind: "thread", thread }],
    };
    return item;
  }
}
