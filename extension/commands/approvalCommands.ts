/**
 * Approve / reject: from the Approvals view's inline buttons, the palette, or
 * an approval notification. A request can be decided elsewhere at any moment
 * (another person, a rule, its deadline), so "already decided" is an ordinary
 * outcome here, reported as information rather than as an error.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { ControlPlane, Panels } from "../contracts";
import { truncate } from "../views/format";
import { isApprovalNode, type Approval } from "../views/nodes";
import { errorCode } from "../util/errors";
import { pickPendingApproval } from "./pickers";
import { requireSession } from "./session";

export type Decision = "approve" | "reject";

const PAST: Readonly<Record<Decision, string>> = {
  approve: "Approved",
  reject: "Rejected",
};

/**
 * Asks for a reject reason (told to the agent), re-reads the request, and
 * resolves it if it is still pending. Returns false if nothing was decided.
 */
export async function decideApproval(
  plane: ControlPlane,
  approval: Pick<Approval, "_id" | "summary">,
  decision: Decision,
): Promise<boolean> {
  let reason: string | undefined;
  if (decision === "reject") {
    reason = await vscode.window.showInputBox({
      title: `Reject: ${truncate(approval.summary, 60)}`,
      prompt: "Why? The requester (usually an agent) reads this. Optional.",
      ignoreFocusOut: true,
    });
    if (reason === undefined) return false;
  }
  const current = await plane.query(api.approvals.get, {
    approvalId: approval._id,
  });
  if (current.status !== "pending") {
    showAlreadyDecided(current.status);
    return false;
  }
  try {
    await plane.mutation(api.approvals.resolve, {
      approvalId: approval._id,
      decision,
      ...(reason === undefined || reason.trim() === ""
        ? {}
        : { reason: reason.trim() }),
    });
  } catch (error) {
    // Decided by someone else between the read and the write.
    if (errorCode(error) !== "ALREADY_RESOLVED") throw error;
    const after = await plane.query(api.approvals.get, {
      approvalId: approval._id,
    });
    showAlreadyDecided(after.status);
    return false;
  }
  vscode.window.setStatusBarMessage(
    `Switchboard: ${PAST[decision]} "${truncate(approval.summary, 60)}"`,
    5_000,
  );
  return true;
}

function showAlreadyDecided(status: Approval["status"]): void {
  void vscode.window.showInformationMessage(
    `Switchboard: that request was already decided (${status}).`,
  );
}

export function approvalCommands(plane: ControlPlane, panels: Panels) {
  const decide = async (arg: unknown, decision: Decision) => {
    const session = requireSession(plane);
    const approval = isApprovalNode(arg)
      ? arg.approval
      : await pickPendingApproval(
          plane,
          session,
          decision === "approve" ? "Approve a request" : "Reject a request",
        );
    if (approval !== undefined) {
      await decideApproval(plane, approval, decision);
    }
  };
  return {
    "switchboard.openApprovals": (arg?: unknown) => {
      panels.open(
        "approvals",
        isApprovalNode(arg) ? { approvalId: arg.approval._id } : undefined,
      );
      return Promise.resolve();
    },
    "switchboard.approve": (arg?: unknown) => decide(arg, "approve"),
    "switchboard.reject": (arg?: unknown) => decide(arg, "reject"),
  };
}
