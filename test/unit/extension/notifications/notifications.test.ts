/** Approval notifications against a fake `vscode` and a fake ControlPlane. */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type * as vscode from "vscode";
import type { Panels } from "../../../../extension/contracts";
import { registerApprovalNotifications } from "../../../../extension/notifications/index";
import { FakePlane, SESSION } from "../views/fakePlane";
import { ui } from "../views/fakeVscode";
import { approval } from "../views/fixtures";

vi.mock("vscode", () => import("../views/fakeVscode"));

let plane: FakePlane;
let opened: unknown[][];
let context: { subscriptions: { dispose(): void }[] };

const page = (...approvals: ReturnType<typeof approval>[]) => ({
  page: approvals,
  isDone: true,
  continueCursor: "",
});
const first = approval({ _id: "ap1", createdAt: 1 });
const second = approval({
  _id: "ap2",
  createdAt: 2,
  summary: "Deploy to staging",
});

/** Lets the notification's promise chain (people lookup, message, button) run. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  ui.reset();
  plane = new FakePlane();
  plane.handlers.set("board:people", () => [
    { id: "agent1", kind: "agent", name: "claude-1" },
  ]);
  opened = [];
  const panels: Panels = { open: (...args) => void opened.push(args) };
  context = { subscriptions: [] };
  registerApprovalNotifications(
    context as unknown as vscode.ExtensionContext,
    plane.asPlane(),
    panels,
  );
});

afterEach(() => {
  for (const item of context.subscriptions) item.dispose();
});

describe("approval notifications", () => {
  test("watches the newest pending approvals of the project", () => {
    expect(plane.watches.map((w) => [w.name, w.args])).toEqual([
      [
        "approvals:list",
        {
          projectId: "p1",
          status: "pending",
          paginationOpts: { numItems: 20, cursor: null },
        },
      ],
    ]);
  });

  test("not for what was waiting at connect; yes for what arrives, with Open", async () => {
    plane.push("approvals:list", page(first));
    await flush();
    expect(ui.shown).toEqual([]);
    ui.answer = () => "Open";
    plane.push("approvals:list", page(second, first));
    await flush();
    expect(ui.shown).toHaveLength(1);
    expect(ui.shown[0]).toMatchObject({
      kind: "info",
      text: "Approval requested by claude-1: Deploy to staging",
      items: ["Approve", "Reject", "Open"],
    });
    expect(opened).toEqual([["approvals", { approvalId: "ap2" }]]);
  });

  test("Approve resolves the request if it is still pending", async () => {
    plane.handlers.set("approvals:get", () => second);
    plane.handlers.set("approvals:resolve", () => ({
      ...second,
      status: "approved",
    }));
    plane.push("approvals:list", page());
    ui.answer = (_kind, text) =>
      text.startsWith("Approval requested") ? "Approve" : undefined;
    plane.push("approvals:list", page(second));
    await flush();
    await flush();
    expect(plane.callsTo("approvals:resolve")).toEqual([
      { approvalId: "ap2", decision: "approve" },
    ]);
  });

  test("the setting turns them off; a new session starts from a first load again", async () => {
    ui.config.set("switchboard.notifyApprovals", false);
    plane.push("approvals:list", page());
    plane.push("approvals:list", page(first));
    await flush();
    expect(ui.shown).toEqual([]);

    ui.config.set("switchboard.notifyApprovals", true);
    plane.changeSession({ ...SESSION, projectId: "p2" });
    plane.push("approvals:list", page(first, second));
    await flush();
    expect(ui.shown).toEqual([]);
  });
});
