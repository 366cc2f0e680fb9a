/** The tree providers against a fake `vscode` and a fake ControlPlane: what each view shows. */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type * as vscode from "vscode";
import type { Panels } from "../../../../extension/contracts";
import { registerViews } from "../../../../extension/views/index";
import type {
  RunTreeNode,
  TaskTreeNode,
} from "../../../../extension/views/nodes";
import {
  approval,
  card,
  graphStep,
  MIN,
  NOW,
  stepRow,
  workflowRun,
} from "./fixtures";
import { FakePlane } from "./fakePlane";
import { createdViews, type FakeTreeView, type TreeItem } from "./fakeVscode";

vi.mock("vscode", () => import("./fakeVscode"));

type Provider<T> = {
  getChildren(element?: T): T[];
  getTreeItem(element: T): TreeItem;
  onDidChangeTreeData(listener: () => void): { dispose(): void };
};

const panels: Panels = { open: () => undefined };
let plane: FakePlane;
let context: { subscriptions: { dispose(): void }[] };

function view(id: string): FakeTreeView {
  const found = createdViews.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no view ${id}`);
  return found;
}
const provider = <T>(id: string) => view(id).provider as Provider<T>;
/** Past the providers' 50 ms repaint coalescing. */
const settle = () => vi.advanceTimersByTime(100);

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 4, 1, 12, 0, 0) });
  createdViews.length = 0;
  plane = new FakePlane();
  context = { subscriptions: [] };
  registerViews(
    context as unknown as vscode.ExtensionContext,
    plane.asPlane(),
    panels,
  );
});

afterEach(() => {
  for (const item of context.subscriptions) item.dispose();
  vi.useRealTimers();
});

describe("sidebar views", () => {
  test("five views, each with its subscriptions in the session's project", () => {
    expect(createdViews.map((v) => v.id)).toEqual([
      "switchboard.tasks",
      "switchboard.approvals",
      "switchboard.agents",
      "switchboard.threads",
      "switchboard.runs",
    ]);
    expect(
      plane.watches.find((w) => w.name === "workflowRuns:list"),
    ).toMatchObject({ args: { projectId: "p1" } });
    const columns = plane.watches.filter((w) => w.name === "board:column");
    expect(columns).toHaveLength(7);
    expect(columns[0]?.args).toEqual({
      projectId: "p1",
      status: "backlog",
      paginationOpts: { numItems: 50, cursor: null },
    });
  });

  test("Tasks: groups with counts, task lines, a link to the board", () => {
    const tasks = provider<TaskTreeNode>("switchboard.tasks");
    plane.push("board:people", [{ id: "u1", kind: "user", name: "Ada" }]);
    plane.push(
      "board:column",
      {
        page: [
          card({ _id: "t1", number: 7, title: "Fix login", assigneeId: "u1" }),
          card({ _id: "t2", number: 8, openBlockers: 1 }),
        ],
        isDone: false,
        continueCursor: "c",
      },
      { status: "todo" },
    );
    settle();
    const [group] = tasks.getChildren();
    expect(group && tasks.getTreeItem(group).label).toBe("To do (2+)");
    const children = tasks.getChildren(group);
    expect(children.map((c) => c.kind)).toEqual([
      "task",
      "task",
      "moreOnBoard",
    ]);
    const first = tasks.getTreeItem(children[0]!);
    expect(first).toMatchObject({
      label: "SB-7 Fix login",
      description: "Ada",
      contextValue: "task",
      id: "task:t1",
    });
    expect(first.command?.command).toBe("switchboard.openTask");
    expect(first.command?.arguments?.[0]).toEqual(children[0]);
    expect(tasks.getTreeItem(children[1]!).contextValue).toBe("task.blocked");
    expect(tasks.getTreeItem(children[2]!).command?.command).toBe(
      "switchboard.openBoard",
    );
  });

  test("Approvals: pending with inline actions and a badge that goes away", () => {
    const approvals = provider<{ kind: string }>("switchboard.approvals");
    plane.push("approvals:listPending", {
      approvals: [approval({ _id: "ap1" })],
      hasMore: false,
    });
    settle();
    expect(view("switchboard.approvals").badge).toEqual({
      value: 1,
      tooltip: "1 pending approval",
    });
    const [pending] = approvals.getChildren();
    const item = approvals.getTreeItem(approvals.getChildren(pending)[0]!);
    expect(item.contextValue).toBe("approval.pending");
    expect(item.command?.command).toBe("switchboard.openApprovals");
    plane.push("approvals:listPending", { approvals: [], hasMore: false });
    settle();
    expect(view("switchboard.approvals").badge).toBeUndefined();
    expect(view("switchboard.approvals").message).toBe(
      "No approval requests yet.",
    );
  });

  test("a new session drops the old project's data at once", () => {
    const tasks = provider<TaskTreeNode>("switchboard.tasks");
    plane.push(
      "board:column",
      { page: [card({ _id: "t1" })], isDone: true, continueCursor: "" },
      { status: "todo" },
    );
    settle();
    expect(tasks.getChildren()).toHaveLength(1);
    plane.changeSession(null);
    settle();
    expect(tasks.getChildren()).toEqual([]);
    expect(view("switchboard.agents").message).toMatch(/Not connected/);
  });

  test("Agents repaint every minute so relative times stay true", () => {
    const agents = provider<{ kind: string }>("switchboard.agents");
    plane.push("agents:activity", [
      {
        agentId: "ag1",
        name: "claude-1",
        kind: "external",
        trustLevel: "standard",
        currentTask: { taskId: "t4", number: 4, title: "Fix login" },
        lastActiveAt: Date.now() - 5 * MIN,
      },
    ]);
    settle();
    const repaints = vi.fn();
    agents.onDidChangeTreeData(repaints);
    const [node] = agents.getChildren();
    const item = agents.getTreeItem(node!);
    expect(item.description).toBe(
      "working on SB-4 Fix login · active 5 min ago",
    );
    expect(item.command?.arguments).toEqual([{ taskId: "t4" }]);
    vi.advanceTimersByTime(60_000);
    settle();
    expect(repaints).toHaveBeenCalled();
    expect(agents.getTreeItem(node!).description).toBe(
      "working on SB-4 Fix login · active 6 min ago",
    );
  });

  test("Threads: title, last message time, opens the thread", () => {
    const threads = provider<{ kind: string }>("switchboard.threads");
    plane.push("threads:list", {
      page: [
        {
          _id: "th1",
          _creationTime: 0,
          projectId: "p1",
          title: "Design review",
          createdBy: "u1",
          createdAt: Date.now() - 60 * MIN,
          lastMessageAt: Date.now() - 2 * MIN,
        },
      ],
      isDone: true,
      continueCursor: "",
    });
    settle();
    const item = threads.getTreeItem(threads.getChildren()[0]!);
    expect(item).toMatchObject({
      label: "Design review",
      description: "2 min ago",
      contextValue: "thread",
    });
    expect(item.command?.command).toBe("switchboard.openThread");
  });
});

describe("Runs view", () => {
  const runs = () => provider<RunTreeNode>("switchboard.runs");
  const failedRun = workflowRun({
    _id: "run1",
    status: "failed",
    usedCostUsd: 1.5,
    startedAt: NOW - 10 * MIN,
  });
  const detail = {
    run: failedRun,
    graph: [graphStep("build"), graphStep("deploy", ["build"])],
    steps: [
      stepRow("build", { state: "succeeded", attempt: 1 }),
      stepRow("deploy", { state: "failed", attempt: 3, error: "exit 1" }),
    ],
    events: [],
  };
  const stepWatches = () =>
    plane.watches.filter((w) => w.name === "workflowRuns:get" && w.live);

  test("runs as listed (newest first), each opening the run panel", () => {
    plane.push("workflowRuns:list", [
      workflowRun({ _id: "run2", name: "nightly", version: 1 }),
      failedRun,
    ]);
    settle();
    const items = runs()
      .getChildren()
      .map((node) => runs().getTreeItem(node));
    expect(items.map((item) => [item.label, item.description])).toEqual([
      ["nightly v1", "running · 5 min ago"],
      ["release v3", "failed · 10 min ago · $1.50"],
    ]);
    expect(items[0]).toMatchObject({
      id: "run:run2",
      contextValue: "run.running",
      collapsibleState: 1,
    });
    expect(items[1]?.command).toMatchObject({ command: "switchboard.openRun" });
  });

  test("expanding a run subscribes to its steps; collapsing stops it", () => {
    plane.push("workflowRuns:list", [failedRun]);
    settle();
    const [runNode] = runs().getChildren();
    // Nothing is subscribed before someone looks.
    expect(stepWatches()).toEqual([]);
    expect(runs().getChildren(runNode)).toEqual([
      { kind: "runNote", runId: "run1", text: "Loading steps…" },
    ]);
    expect(stepWatches().map((w) => w.args)).toEqual([{ runId: "run1" }]);

    plane.push("workflowRuns:get", detail);
    settle();
    const steps = runs().getChildren(runNode);
    const [build, deploy] = steps.map((node) => runs().getTreeItem(node));
    expect(build).toMatchObject({
      label: "build",
      description: "succeeded · attempt 1/3",
      contextValue: "runStep.succeeded",
    });
    expect(deploy).toMatchObject({
      label: "deploy",
      description: "failed · attempt 3/3 · exit 1",
      contextValue: "runStep.failed",
    });
    // Asking again reuses the subscription.
    runs().getChildren(runNode);
    expect(stepWatches()).toHaveLength(1);

    view("switchboard.runs").collapsed.fire({ element: runNode });
    expect(stepWatches()).toEqual([]);
  });

  test("a run that leaves the list stops its step subscription", () => {
    plane.push("workflowRuns:list", [failedRun]);
    settle();
    runs().getChildren(runs().getChildren()[0]);
    expect(stepWatches()).toHaveLength(1);
    plane.push("workflowRuns:list", [workflowRun({ _id: "run9" })]);
    expect(stepWatches()).toEqual([]);
  });
});
