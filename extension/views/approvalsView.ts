/**
 * The Approvals view: the project's pending requests (the inbox, with inline
 * Approve / Reject from package.json's menus), then recent decisions, and a
 * badge on the view with the pending count.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import {
  approvalDescription,
  approvalGroupLabel,
  approvalIcon,
  approvalLabel,
  approvalTooltipRows,
  buildApprovalGroups,
  DECIDED_STATUSES,
  pendingBadge,
} from "./approvalTree";
import type { Approval, ApprovalGroupNode, ApprovalTreeNode } from "./nodes";
import { LiveTreeProvider, rowsTooltip, themeIcon } from "./treeBase";

/** Pending requests loaded: the inbox rarely holds more; the panel shows them all. */
const PENDING_LIMIT = 50;

export class ApprovalsTreeProvider extends LiveTreeProvider<ApprovalTreeNode> {
  private pending: Approval[] = [];
  private pendingHasMore = false;
  private pendingLoaded = false;
  private readonly decided = new Map<string, Approval[]>();
  private groups: ApprovalGroupNode[] = [];

  constructor(plane: ControlPlane) {
    super(plane);
    this.track(
      plane.watch(
        api.approvals.listPending,
        (session) => ({
          projectId: session.projectId as Id<"projects">,
          limit: PENDING_LIMIT,
        }),
        ({ approvals, hasMore }) => {
          this.pending = approvals;
          this.pendingHasMore = hasMore;
          this.pendingLoaded = true;
          this.rebuild();
        },
        this.failed,
      ),
    );
    for (const status of DECIDED_STATUSES) {
      this.track(
        plane.watch(
          api.approvals.list,
          (session) => ({
            projectId: session.projectId as Id<"projects">,
            status,
            paginationOpts: { numItems: 10, cursor: null },
          }),
          ({ page }) => {
            this.decided.set(status, page);
            this.rebuild();
          },
          this.failed,
        ),
      );
    }
    this.watchNames();
    this.tick(60_000);
  }

  private rebuild(): void {
    this.groups = buildApprovalGroups(this.pending, [...this.decided.values()]);
    this.loaded();
  }

  protected clear(): void {
    this.pending = [];
    this.pendingHasMore = false;
    this.pendingLoaded = false;
    this.decided.clear();
    this.names = new Map();
    this.groups = [];
  }

  protected override updateView(view: vscode.TreeView<ApprovalTreeNode>): void {
    super.updateView(view);
    view.badge = pendingBadge(this.pending.length, this.pendingHasMore);
  }

  protected override emptyMessage(): string | undefined {
    const base = super.emptyMessage();
    if (base !== undefined || !this.pendingLoaded) return base;
    return this.groups.length === 0 ? "No approval requests yet." : undefined;
  }

  getChildren(element?: ApprovalTreeNode): ApprovalTreeNode[] {
    if (element === undefined) return this.groups;
    if (element.kind !== "approvalGroup") return [];
    return element.approvals.map((approval) => ({
      kind: "approval",
      approval,
    }));
  }

  getTreeItem(element: ApprovalTreeNode): vscode.TreeItem {
    if (element.kind === "approvalGroup") {
      const item = new vscode.TreeItem(
        approvalGroupLabel(element, this.pendingHasMore),
        element.group === "pending"
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
      );
      item.id = `approvals:${element.group}`;
      item.contextValue = `approvalGroup.${element.group}`;
      return item;
    }
    const { approval } = element;
    const now = Date.now();
    const item = new vscode.TreeItem(approvalLabel(approval));
    item.id = `approval:${approval._id}`;
    item.description = approvalDescription(approval, this.names, now);
    item.iconPath = themeIcon(approvalIcon(approval.status));
    item.tooltip = rowsTooltip(
      approval.summary,
      approvalTooltipRows(approval, this.names, now),
    );
    item.contextValue = `approval.${approval.status}`;
    item.command = {
      command: "switchboard.openApprovals",
      title: "Open Approvals Inbox",
      arguments: [{ kind: "approval", approval }],
    };
    return item;
  }
}
