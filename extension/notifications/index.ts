/**
 * Approval notifications: while the window watches the project's pending
 * approvals, each new request (not those already waiting when it connected)
 * pops a notification with Approve / Reject / Open, if
 * `switchboard.notifyApprovals` is on.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane, Panels } from "../contracts";
import { decideApproval } from "../commands/approvalCommands";
import { reportFailure } from "../util/commandBoundary";
import { uiLog } from "../commands/log";
import { truncate } from "../views/format";
import type { Approval } from "../views/nodes";
import {
  ArrivalTracker,
  MAX_SEPARATE_NOTIFICATIONS,
  worthNotifying,
} from "./arrivals";

/** Newest pending requests watched; arrivals are always at the top of this page. */
const WATCHED = 20;

export function registerApprovalNotifications(
  context: vscode.ExtensionContext,
  plane: ControlPlane,
  panels: Panels,
): void {
  const log = uiLog(context);
  const tracker = new ArrivalTracker<Approval>();

  const enabled = () =>
    vscode.workspace
      .getConfiguration("switchboard")
      .get<boolean>("notifyApprovals", true);

  const requesterName = async (approval: Approval): Promise<string> => {
    try {
      const people = await plane.query(api.board.people, {
        projectId: approval.projectId,
      });
      return (
        people.find((person) => person.id === approval.requesterId)?.name ??
        "an agent"
      );
    } catch {
      return "an agent";
    }
  };

  const notifyOne = async (approval: Approval): Promise<void> => {
    const who = await requesterName(approval);
    const choice = await vscode.window.showInformationMessage(
      `Approval requested by ${who}: ${truncate(approval.summary, 200)}`,
      "Approve",
      "Reject",
      "Open",
    );
    if (choice === "Approve") await decideApproval(plane, approval, "approve");
    else if (choice === "Reject")
      await decideApproval(plane, approval, "reject");
    else if (choice === "Open")
      panels.open("approvals", { approvalId: approval._id });
  };

  const notifyMany = async (count: number): Promise<void> => {
    const choice = await vscode.window.showInformationMessage(
      `${count} approvals requested.`,
      "Open",
    );
    if (choice === "Open") panels.open("approvals");
  };

  // Each notification waits for its buttons independently: a failure is reported, not thrown.
  const run = (where: string, work: Promise<void>) => {
    work.catch((error: unknown) => reportFailure(log, where, error));
  };

  const onPage = (page: Approval[], isDone: boolean) => {
    const arrivals = worthNotifying(
      tracker.next(page, isDone),
      plane.session?.userId,
    );
    if (arrivals.length === 0 || !enabled()) return;
    log.info(`${arrivals.length} new approval request(s)`);
    if (arrivals.length > MAX_SEPARATE_NOTIFICATIONS) {
      run("approval notification", notifyMany(arrivals.length));
      return;
    }
    for (const approval of arrivals) {
      run("approval notification", notifyOne(approval));
    }
  };

  context.subscriptions.push(
    // A new session (backend switched, other project) starts from a fresh first load.
    plane.onDidChangeSession(() => tracker.reset()),
    plane.watch(
      api.approvals.list,
      (session) => ({
        projectId: session.projectId as Id<"projects">,
        status: "pending" as const,
        paginationOpts: { numItems: WATCHED, cursor: null },
      }),
      ({ page, isDone }) => onPage(page, isDone),
      (error) => log.warn(`Watching approvals failed: ${error.message}`),
    ),
  );
}
