/** The tree providers against a fake `vscode` and a fake ControlPlane: what each view shows. */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type * as vscode from "vscode";
import type { Panels } from "../../../../extension/contracts";
import { registerViews } from "../../../../extension/views/index";
import type { TaskTreeNode } from "../../../../extension/views/nodes";
import { approval, card, MIN } from "./fixtures";
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
  test("four views, each with its subscriptions in the session's project", () => {
    expect(createdViews.map((v) => v.id)).toEqual([
      "switchboard.tasks",
      "switchboard.approvals",
      "switchboard.agents",
      "switchboard.threads",
    ]);
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
