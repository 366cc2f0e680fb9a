/**
 * The elements of the sidebar trees. VS Code hands the element (not its
 * TreeItem) to commands run from a tree's context menu or inline buttons, so
 * the commands recognise these shapes with the guards below. No vscode import.
 */
import type { FunctionReturnType } from "convex/server";
import type { api } from "../../convex/_generated/api";
import type { Doc } from "../../convex/_generated/dataModel";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";

export type Person = FunctionReturnType<typeof api.board.people>[number];
export type AgentActivity = FunctionReturnType<
  typeof api.agents.activity
>[number];
export type Approval = Doc<"approvals">;
export type Thread = Doc<"threads">;
export type { BoardCard };

export type TaskGroupNode = {
  kind: "taskGroup";
  status: TaskStatus;
  cards: readonly BoardCard[];
  /** The column has more cards than were loaded: offer the board. */
  hasMore: boolean;
};
export type TaskNode = { kind: "task"; card: BoardCard };
export type MoreOnBoardNode = { kind: "moreOnBoard"; status: TaskStatus };

export type ApprovalGroupNode = {
  kind: "approvalGroup";
  group: "pending" | "decided";
  approvals: readonly Approval[];
};
export type ApprovalNode = { kind: "approval"; approval: Approval };

export type AgentNode = { kind: "agent"; agent: AgentActivity };
export type ThreadNode = { kind: "thread"; thread: Thread };

export type TaskTreeNode = TaskGroupNode | TaskNode | MoreOnBoardNode;
export type ApprovalTreeNode = ApprovalGroupNode | ApprovalNode;

function hasKind(value: unknown, kind: string): value is { kind: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    "kind" in value &&
    value.kind === kind
  );
}

export function isTaskNode(value: unknown): value is TaskNode {
  return hasKind(value, "task") && "card" in value;
}

export function isApprovalNode(value: unknown): value is ApprovalNode {
  return hasKind(value, "approval") && "approval" in value;
}

export function isThreadNode(value: unknown): value is ThreadNode {
  return hasKind(value, "thread") && "thread" in value;
}

export function isAgentNode(value: unknown): value is AgentNode {
  return hasKind(value, "agent") && "agent" in value;
}
