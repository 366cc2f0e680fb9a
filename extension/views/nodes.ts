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
export type WorkflowRun = Doc<"workflowRuns">;
/** A run with its graph, live step rows and latest events (api.workflowRuns.get). */
export type RunDetail = FunctionReturnType<typeof api.workflowRuns.get>;
export type GraphStep = RunDetail["graph"][number];
export type StepRow = Doc<"workflowSteps">;
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

export type RunNode = { kind: "run"; run: WorkflowRun };
/** A step of a run: its place in the graph and its live row (absent until loaded). */
export type RunStepNode = {
  kind: "runStep";
  run: WorkflowRun;
  step: GraphStep;
  row: StepRow | undefined;
};
/** A line under a run while its steps load, or why they could not. */
export type RunNoteNode = { kind: "runNote"; runId: string; text: string };

export type TaskTreeNode = TaskGroupNode | TaskNode | MoreOnBoardNode;
export type ApprovalTreeNode = ApprovalGroupNode | ApprovalNode;
export type RunTreeNode = RunNode | RunStepNode | RunNoteNode;

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

export function isRunNode(value: unknown): value is RunNode {
  return hasKind(value, "run") && "run" in value;
}

export function isRunStepNode(value: unknown): value is RunStepNode {
  return hasKind(value, "runStep") && "step" in value && "run" in value;
}
