/** WebviewPanels and ViewPanel against a fake `vscode` and a fake control plane. */
import { beforeEach, describe, expect, test, vi } from "vitest";
import type { ControlPlane, Session } from "../../../../extension/contracts";
import { Emitter } from "../../../../extension/util/emitter";
import {
  created,
  fakeVscode,
  FakeUri,
  themeEmitter,
  type FakePanel,
} from "./fakeVscode";

vi.mock("vscode", () => fakeVscode);
const { WebviewPanels } = await import("../../../../extension/webviews/panels");

const session: Session = {
  backend: "local",
  url: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  userId: "u1",
  userName: "Ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
};

class FakePlane {
  session: Session | null = session;
  readonly sessions = new Emitter<Session | null>();
  readonly states = new Emitter<never>();
  readonly onDidChangeSession = this.sessions.event;
  readonly onDidChangeState = this.states.event;
  readonly state = { status: "connected", detail: "" };
  tokenCalls: boolean[] = [];
  getToken(force: boolean): Promise<string | null> {
    this.tokenCalls.push(force);
    return Promise.resolve(this.session === null ? null : "jwt");
  }
  query(): Promise<unknown> {
    return Promise.resolve({ number: 12 });
  }
  setSession(next: Session | null): void {
    this.session = next;
    this.sessions.fire(next);
  }
}

let plane: FakePlane;
let panels: InstanceType<typeof WebviewPanels>;
const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

beforeEach(() => {
  created.length = 0;
  plane = new FakePlane();
  panels = new WebviewPanels(
    new FakeUri("/ext") as never,
    plane as unknown as ControlPlane,
    log,
  );
});

function only(): FakePanel {
  expect(created).toHaveLength(1);
  return created[0]!;
}

function ready(panel: FakePanel, view: string): void {
  panel.webview.send({
    kind: "notification",
    method: "webview/ready",
    params: { view },
  });
}

function notifications(panel: FakePanel, method: string): unknown[] {
  return panel.webview.posted
    .filter(
      (m): m is { kind: string; method: string; params: unknown } =>
        typeof m === "object" &&
        m !== null &&
        (m as { method?: string }).method === method,
    )
    .map((m) => m.params);
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("WebviewPanels", () => {
  test("a board panel: options, CSP-checked HTML, and nothing posted before ready", () => {
    panels.open("board");
    const panel = only();
    expect(panel.viewType).toBe("switchboard.board");
    expect(panel.title).toBe("Task Board");
    expect(panel.options).toMatchObject({
      enableScripts: true,
      retainContextWhenHidden: false,
    });
    expect(panel.options.localResourceRoots?.map((u) => u.fsPath)).toEqual([
      "/ext/dist/webview",
    ]);
    expect(panel.webview.html).toContain(
      "connect-src http://127.0.0.1:3210 ws://127.0.0.1:3210",
    );
    expect(panel.webview.html).toContain("/ext/dist/webview/board.js");
    // As VS Code gives it; quotes are HTML-escaped inside the meta tag.
    expect(panel.webview.html).toContain(
      "style-src &#39;self&#39; https://*.vscode-cdn.net",
    );
    expect(panel.webview.posted).toEqual([]);
  });

  test("ready -> host/init with backend, context, theme and target", () => {
    panels.open("task", { taskId: "t1" });
    const panel = only();
    ready(panel, "task");
    expect(notifications(panel, "host/init")).toEqual([
      {
        backendUrl: "http://127.0.0.1:3210",
        signedIn: true,
        theme: "dark",
        context: {
          orgId: "o1",
          projectId: "p1",
          projectKey: "SB",
          userId: "u1",
        },
        target: { taskId: "t1" },
      },
    ]);
  });

  test("the task title gets the task's key", async () => {
    panels.open("task", { taskId: "t1" });
    await tick();
    expect(only().title).toBe("Task SB-12");
  });

  test("host/auth/token is answered from the plane", async () => {
    panels.open("board");
    const panel = only();
    panel.webview.send({
      kind: "request",
      id: 1,
      method: "host/auth/token",
      params: { forceRefresh: true },
    });
    await tick();
    expect(plane.tokenCalls).toEqual([true]);
    expect(panel.webview.posted).toContainEqual({
      kind: "response",
      id: 1,
      result: { token: "jwt" },
    });
  });

  test("one panel per view; reopening a single-item view retargets it", () => {
    panels.open("task", { taskId: "t1" });
    const panel = only();
    ready(panel, "task");
    panels.open("task", { taskId: "t1" });
    expect(notifications(panel, "host/target/changed")).toEqual([]);
    panels.open("task", { taskId: "t2" });
    expect(created).toHaveLength(1);
    expect(panel.reveals).toBe(2);
    expect(notifications(panel, "host/target/changed")).toEqual([
      { target: { taskId: "t2" } },
    ]);
  });

  test("the run panel follows the run it is opened for; budgets is one page", () => {
    panels.open("run", { runId: "r1" });
    const run = only();
    expect(run.viewType).toBe("switchboard.run");
    expect(run.title).toBe("Workflow Run");
    expect(run.webview.html).toContain("/ext/dist/webview/run.js");
    ready(run, "run");
    expect(notifications(run, "host/init")).toMatchObject([
      { target: { runId: "r1" } },
    ]);
    panels.open("run", { runId: "r2" });
    expect(notifications(run, "host/target/changed")).toEqual([
      { target: { runId: "r2" } },
    ]);
    panels.open("budgets");
    expect(created).toHaveLength(2);
    expect(created[1]?.webview.html).toContain("/ext/dist/webview/budgets.js");
  });

  test("webview/view/open opens other panels", () => {
    panels.open("board");
    const board = only();
    board.webview.send({
      kind: "notification",
      method: "webview/view/open",
      params: { view: "thread", target: { threadId: "th1" } },
    });
    board.webview.send({
      kind: "notification",
      method: "webview/view/open",
      params: { view: "task", target: { taskId: "t9" } },
    });
    expect(created.map((p) => p.viewType)).toEqual([
      "switchboard.board",
      "switchboard.thread",
      "switchboard.task",
    ]);
  });

  test("the board's init carries the first pages the host read while the page loaded", async () => {
    const queried: unknown[] = [];
    plane.query = (...args: unknown[]) => {
      queried.push(args[1]);
      return Promise.resolve(
        "paginationOpts" in (args[1] as object)
          ? { page: [], isDone: true, continueCursor: "" }
          : [],
      );
    };
    panels.open("board");
    const board = only();
    ready(board, "board");
    await vi.waitFor(() =>
      expect(notifications(board, "host/init")).toHaveLength(1),
    );
    const [init] = notifications(board, "host/init") as {
      preload?: { projectId: string; columns: object; people: unknown[] };
    }[];
    expect(init?.preload).toMatchObject({
      projectId: session.projectId,
      people: [],
    });
    expect(Object.keys(init?.preload?.columns ?? {})).toEqual([
      "backlog",
      "todo",
      "in_progress",
      "in_review",
      "blocked",
      "done",
    ]);
    // One query per default column and the people directory, at panel creation.
    expect(queried).toHaveLength(7);
    // Single-item views get no preload.
    panels.open("task", { taskId: "t1" });
    const task = created.at(-1)!;
    ready(task, "task");
    expect(notifications(task, "host/init")[0]).not.toHaveProperty("preload");
  });

  test("a session that moves the backend re-renders; the same one does not", async () => {
    panels.open("board");
    const panel = only();
    ready(panel, "board");
    const html = panel.webview.html;
    plane.setSession({ ...session });
    expect(panel.webview.html).toBe(html);
    plane.setSession({ ...session, url: "http://127.0.0.1:4000" });
    expect(panel.webview.html).not.toBe(html);
    expect(panel.webview.html).toContain(
      "connect-src http://127.0.0.1:4000 ws://127.0.0.1:4000",
    );
    // The reloaded page must say ready again before it hears anything.
    themeEmitter.fire({ kind: 1 });
    expect(notifications(panel, "host/theme/changed")).toEqual([]);
    ready(panel, "board");
    // The board's init waits (briefly) for the first pages the host is reading.
    await vi.waitFor(() =>
      expect(notifications(panel, "host/init").at(-1)).toMatchObject({
        backendUrl: "http://127.0.0.1:4000",
      }),
    );
    themeEmitter.fire({ kind: 1 });
    expect(notifications(panel, "host/theme/changed")).toEqual([
      { theme: "light" },
    ]);
  });

  test("signed out: a page that says so", () => {
    plane.session = null;
    panels.open("approvals");
    const panel = only();
    ready(panel, "approvals");
    expect(notifications(panel, "host/init")).toMatchObject([
      { signedIn: false, context: null },
    ]);
  });

  test("closing a panel forgets it; disposing Panels closes them all", () => {
    panels.open("board");
    only().dispose();
    panels.open("board");
    expect(created).toHaveLength(2);
    panels.open("thread");
    panels.dispose();
    expect(created.every((p) => p.disposed)).toBe(true);
    expect(plane.sessions.listenerCount).toBe(0);
  });
});
