/** The commands against a fake `vscode` (scripted answers) and a fake ControlPlane. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexError } from "convex/values";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type * as vscode from "vscode";
import { registerCommands } from "../../../../extension/commands/index";
import type { Panels } from "../../../../extension/contracts";
import { FakePlane } from "../views/fakePlane";
import { ui } from "../views/fakeVscode";
import {
  approval,
  card,
  graphStep,
  stepRow,
  workflowRun,
} from "../views/fixtures";

vi.mock("vscode", () => import("../views/fakeVscode"));

let plane: FakePlane;
let opened: unknown[][];
let context: { subscriptions: { dispose(): void }[]; extensionPath: string };
const dirs: string[] = [];

beforeEach(() => {
  ui.reset();
  plane = new FakePlane();
  opened = [];
  const panels: Panels = { open: (...args) => void opened.push(args) };
  context = { subscriptions: [], extensionPath: "/ext" };
  registerCommands(
    context as unknown as vscode.ExtensionContext,
    plane.asPlane(),
    panels,
  );
});

afterEach(() => {
  for (const item of context.subscriptions) item.dispose();
  for (const dir of dirs.splice(0))
    rmSync(dir, { recursive: true, force: true });
});

async function run(id: string, ...args: unknown[]): Promise<void> {
  const handler = ui.commands.get(id);
  if (handler === undefined) throw new Error(`${id} is not registered`);
  await handler(...args);
}

const pickLabel =
  (label: string) =>
  <T extends string | { label: string }>(items: readonly T[]) =>
    items.find(
      (item) => (typeof item === "string" ? item : item.label) === label,
    );

const taskDoc = { _id: "t3", number: 3, title: "Fix login", status: "todo" };

describe("task commands", () => {
  test("only this part's commands are registered", () => {
    expect([...ui.commands.keys()].sort()).toEqual([
      "switchboard.approve",
      "switchboard.assignTask",
      "switchboard.cancelWorkflowRun",
      "switchboard.claimTask",
      "switchboard.connectClaudeCode",
      "switchboard.createAgentToken",
      "switchboard.createNativeAgent",
      "switchboard.createTask",
      "switchboard.moveTask",
      "switchboard.openApprovals",
      "switchboard.openBoard",
      "switchboard.openBudgets",
      "switchboard.openRun",
      "switchboard.openTask",
      "switchboard.openThread",
      "switchboard.reject",
      "switchboard.rerunWorkflowStep",
      "switchboard.showAuditLog",
      "switchboard.startNativeSession",
      "switchboard.startWorkflowRun",
      "switchboard.stopNativeSession",
    ]);
  });

  test("move offers the legal targets of the task's current status", async () => {
    plane.handlers.set("tasks:get", () => taskDoc);
    plane.handlers.set("tasks:move", () => ({
      ...taskDoc,
      status: "in_progress",
    }));
    let offered: string[] = [];
    ui.pick = (items) => {
      offered = items.map((item) =>
        typeof item === "string" ? item : item.label,
      );
      return pickLabel("In progress")(items);
    };
    await run("switchboard.moveTask", {
      kind: "task",
      card: card({ _id: "t3" }),
    });
    expect(offered).toEqual(["Backlog", "In progress", "Blocked", "Cancelled"]);
    expect(plane.callsTo("tasks:move")).toEqual([
      { taskId: "t3", status: "in_progress" },
    ]);
  });

  test("a refused change shows the ConvexError's message", async () => {
    plane.handlers.set("tasks:get", () => taskDoc);
    plane.handlers.set("tasks:move", () => {
      throw new ConvexError({
        code: "DEPENDENCIES_OPEN",
        message: "SB-2 is not done yet.",
      });
    });
    ui.pick = pickLabel("In progress");
    await run("switchboard.moveTask", {
      kind: "task",
      card: card({ _id: "t3" }),
    });
    expect(ui.shown.at(-1)).toMatchObject({
      kind: "error",
      text: "Switchboard: SB-2 is not done yet.",
    });
  });

  test("create: title, description, default priority, then Open", async () => {
    const inputs = ["  Fix login  ", ""];
    ui.input = () => inputs.shift();
    ui.pick = pickLabel("medium");
    plane.handlers.set("tasks:create", () => "t9");
    plane.handlers.set("tasks:get", () => ({
      ...taskDoc,
      _id: "t9",
      number: 9,
    }));
    ui.answer = (_kind, _text, items) =>
      items.includes("Open") ? "Open" : undefined;
    await run("switchboard.createTask");
    expect(plane.callsTo("tasks:create")).toEqual([
      {
        projectId: "p1",
        title: "Fix login",
        priority: "medium",
        status: "todo",
      },
    ]);
    expect(ui.shown[0]?.text).toBe("Created SB-9: Fix login");
    expect(opened).toEqual([["task", { taskId: "t9" }]]);
  });

  test("openThread reuses the task's thread, else creates it", async () => {
    plane.handlers.set("threads:forTask", () => null);
    plane.handlers.set("threads:ensureForTask", () => "th1");
    await run("switchboard.openThread", {
      kind: "task",
      card: card({ _id: "t3" }),
    });
    expect(opened).toEqual([["thread", { threadId: "th1" }]]);
  });

  test("without a session a command says so", async () => {
    plane.session = null;
    await run("switchboard.claimTask");
    expect(ui.shown.at(-1)?.text).toMatch(/not connected/);
  });
});

describe("approval commands", () => {
  const pending = approval({ _id: "ap1" });

  test("approve from the tree", async () => {
    plane.handlers.set("approvals:get", () => pending);
    plane.handlers.set("approvals:resolve", () => ({
      ...pending,
      status: "approved",
    }));
    await run("switchboard.approve", { kind: "approval", approval: pending });
    expect(plane.callsTo("approvals:resolve")).toEqual([
      { approvalId: "ap1", decision: "approve" },
    ]);
  });

  test("reject asks a reason and passes it on", async () => {
    plane.handlers.set("approvals:get", () => pending);
    plane.handlers.set("approvals:resolve", () => ({
      ...pending,
      status: "rejected",
    }));
    ui.input = () => "not on main";
    await run("switchboard.reject", { kind: "approval", approval: pending });
    expect(plane.callsTo("approvals:resolve")).toEqual([
      { approvalId: "ap1", decision: "reject", reason: "not on main" },
    ]);
  });

  test("already decided, before or during the call, is information, not an error", async () => {
    plane.handlers.set("approvals:get", () => ({
      ...pending,
      status: "expired",
    }));
    await run("switchboard.approve", { kind: "approval", approval: pending });
    expect(plane.callsTo("approvals:resolve")).toEqual([]);
    expect(ui.shown.at(-1)).toMatchObject({ kind: "info" });

    let reads = 0;
    plane.handlers.set("approvals:get", () =>
      reads++ === 0 ? pending : { ...pending, status: "approved" },
    );
    plane.handlers.set("approvals:resolve", () => {
      throw new ConvexError({
        code: "ALREADY_RESOLVED",
        message: "Already approved.",
      });
    });
    await run("switchboard.approve", { kind: "approval", approval: pending });
    expect(ui.shown.at(-1)).toMatchObject({
      kind: "info",
      text: "Switchboard: that request was already decided (approved).",
    });
  });
});

describe("agent tokens", () => {
  test("a new agent's token is shown once and copied, never logged", async () => {
    plane.handlers.set("agents:list", () => []);
    plane.handlers.set("agents:create", () => "ag1");
    plane.handlers.set("agentTokens:create", () => ({
      tokenId: "tk1",
      token: "sba_secret",
    }));
    ui.pick = pickLabel("$(add) New agent…");
    const inputs = ["reviewer", "laptop"];
    ui.input = () => inputs.shift();
    ui.answer = (_kind, _text, items) =>
      items.includes("Copy") ? "Copy" : undefined;
    await run("switchboard.createAgentToken");
    expect(plane.callsTo("agents:create")[0]).toMatchObject({
      orgId: "o1",
      name: "reviewer",
    });
    expect(plane.callsTo("agentTokens:create")).toEqual([
      { agentId: "ag1", projectId: "p1", label: "laptop" },
    ]);
    expect(JSON.stringify(ui.shown[0]?.items)).toContain("sba_secret");
    expect(ui.clipboard).toBe("sba_secret");
    expect(ui.logged.join("\n")).not.toContain("sba_secret");
  });

  test("Connect Claude Code writes .mcp.json and asks before replacing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-connect-"));
    dirs.push(dir);
    ui.folders = [{ name: "app", uri: { scheme: "file", fsPath: dir } }];
    plane.handlers.set("agents:list", () => [
      {
        _id: "ag1",
        name: "claude-code",
        kind: "external",
        trustLevel: "standard",
      },
    ]);
    plane.handlers.set("agentTokens:create", () => ({
      tokenId: "tk1",
      token: "sba_one",
    }));
    ui.pick = pickLabel("claude-code");
    await run("switchboard.connectClaudeCode");
    const config = JSON.parse(readFileSync(join(dir, ".mcp.json"), "utf8")) as {
      mcpServers: {
        switchboard: { command: string; args: string[]; env: object };
      };
    };
    expect(config.mcpServers.switchboard.args).toEqual([
      "/ext/dist/mcp-server.js",
    ]);
    expect(config.mcpServers.switchboard.env).toEqual({
      SWITCHBOARD_DATA_DIR: "/tmp/sb",
      SWITCHBOARD_TOKEN: "sba_one",
    });
    expect(ui.shown.at(-1)?.text).toContain(join(dir, ".mcp.json"));

    // Again: declined, so no second token is minted.
    await run("switchboard.connectClaudeCode");
    expect(ui.shown.at(-1)).toMatchObject({ kind: "warning" });
    expect(plane.callsTo("agentTokens:create")).toHaveLength(1);
  });
});

describe("workflow run commands", () => {
  const release = {
    _id: "wf3",
    name: "release",
    version: 3,
    createdBy: "u1",
    createdAt: 0,
  };
  const definition = JSON.stringify({
    name: "release",
    inputs: { branch: {}, dryRun: { default: false } },
    steps: [],
  });
  const running = workflowRun({ _id: "run1" });
  const failedRun = workflowRun({ _id: "run2", status: "failed" });

  beforeEach(() => {
    plane.handlers.set("workflows:list", () => [
      { ...release, _id: "wf1", version: 1 },
      release,
    ]);
    plane.handlers.set("workflows:get", () => ({ ...release, definition }));
    plane.handlers.set("workflowRuns:start", () => "run9");
  });

  test("start: the latest version, inputs as JSON, then the run panel", async () => {
    let offered: string[] = [];
    ui.pick = (items) => {
      offered = items.map((item) =>
        typeof item === "string" ? item : item.label,
      );
      return pickLabel("release")(items);
    };
    ui.input = () => '{"branch": "main"}';
    await run("switchboard.startWorkflowRun");
    expect(offered).toEqual(["release"]);
    expect(plane.callsTo("workflows:get")).toEqual([{ workflowId: "wf3" }]);
    expect(plane.callsTo("workflowRuns:start")).toEqual([
      { workflowId: "wf3", inputs: { branch: "main" } },
    ]);
    expect(opened).toEqual([["run", { runId: "run9" }]]);
  });

  test("start: inputs that would be refused are not sent", async () => {
    ui.pick = pickLabel("release");
    ui.input = () => '{"dryRun": true}';
    await run("switchboard.startWorkflowRun");
    expect(plane.callsTo("workflowRuns:start")).toEqual([]);
    expect(ui.shown.at(-1)).toMatchObject({
      kind: "error",
      text: "Switchboard: Missing: branch.",
    });
  });

  test("start: dismissing the inputs box starts nothing", async () => {
    ui.pick = pickLabel("release");
    await run("switchboard.startWorkflowRun");
    expect(plane.callsTo("workflowRuns:start")).toEqual([]);
    expect(opened).toEqual([]);
  });

  test("start: a project without workflows says so", async () => {
    plane.handlers.set("workflows:list", () => []);
    await run("switchboard.startWorkflowRun");
    expect(ui.shown.at(-1)?.text).toMatch(/no saved workflows yet/);
  });

  test("cancel from the tree asks first", async () => {
    plane.handlers.set("workflowRuns:cancel", () => null);
    await run("switchboard.cancelWorkflowRun", { kind: "run", run: running });
    expect(ui.shown.at(-1)).toMatchObject({
      kind: "warning",
      text: "Cancel release v3?",
    });
    expect(plane.callsTo("workflowRuns:cancel")).toEqual([]);

    ui.answer = (_kind, _text, items) =>
      items.includes("Cancel Run") ? "Cancel Run" : undefined;
    await run("switchboard.cancelWorkflowRun", { kind: "run", run: running });
    expect(plane.callsTo("workflowRuns:cancel")).toEqual([{ runId: "run1" }]);
  });

  test("cancel from the palette offers running runs only", async () => {
    plane.handlers.set("workflowRuns:list", () => [failedRun]);
    await run("switchboard.cancelWorkflowRun");
    expect(ui.shown.at(-1)?.text).toBe(
      "Switchboard: No workflow run is running.",
    );
  });

  test("rerun from a failed step in the tree", async () => {
    plane.handlers.set("workflowRuns:rerunStep", () => null);
    await run("switchboard.rerunWorkflowStep", {
      kind: "runStep",
      run: failedRun,
      step: graphStep("deploy"),
      row: stepRow("deploy", { state: "failed" }),
    });
    expect(plane.callsTo("workflowRuns:rerunStep")).toEqual([
      { runId: "run2", stepId: "deploy" },
    ]);
  });

  test("rerun from the palette: a run, then one of its failed steps", async () => {
    plane.handlers.set("workflowRuns:list", () => [failedRun]);
    plane.handlers.set("workflowRuns:get", () => ({
      run: failedRun,
      graph: [graphStep("build"), graphStep("deploy", ["build"])],
      steps: [
        stepRow("build", { state: "succeeded" }),
        stepRow("deploy", { state: "failed", error: "exit 1" }),
      ],
      events: [],
    }));
    plane.handlers.set("workflowRuns:rerunStep", () => {
      throw new ConvexError({
        code: "ILLEGAL_TRANSITION",
        message: 'Only a failed step reruns; "deploy" is pending.',
      });
    });
    const asked: string[][] = [];
    ui.pick = (items) => {
      asked.push(
        items.map((item) => (typeof item === "string" ? item : item.label)),
      );
      return items[0];
    };
    await run("switchboard.rerunWorkflowStep");
    expect(asked).toEqual([["release v3"], ["deploy"]]);
    expect(plane.callsTo("workflowRuns:rerunStep")).toEqual([
      { runId: "run2", stepId: "deploy" },
    ]);
    // Rerun by someone else first: the server's sentence, not a stack.
    expect(ui.shown.at(-1)?.text).toBe(
      'Switchboard: Only a failed step reruns; "deploy" is pending.',
    );
  });

  test("open a run from the tree; open the budgets", async () => {
    await run("switchboard.openRun", { kind: "run", run: running });
    await run("switchboard.openBudgets");
    expect(opened).toEqual([["run", { runId: "run1" }], ["budgets"]]);
  });
});

describe("native session commands", () => {
  const thread = { _id: "th1", title: "Release plan", projectId: "p1" };
  const agents = [
    { _id: "a1", name: "planner-bot", kind: "native", instructions: "Plan." },
    { _id: "a2", name: "critic-bot", kind: "native", instructions: "" },
    { _id: "a3", name: "claude", kind: "external", instructions: "" },
  ];

  beforeEach(() => {
    plane.handlers.set("agents:list", () => agents);
    plane.handlers.set("nativeSessions:start", () => "ns1");
  });

  test("start from a thread: native agents only, a role each, goal and turns, then the thread", async () => {
    let offeredAgents: string[] = [];
    const roles = ["planner", "critic"];
    ui.pick = ((items: readonly { label: string }[], title?: string) => {
      if (title === "Start Native Session") {
        offeredAgents = items.map((item) => item.label);
        return items.slice(0, 2);
      }
      const role = roles.shift();
      return items.find((item) => item.label === role);
    }) as typeof ui.pick;
    ui.input = ({ title }) =>
      title?.endsWith("goal") === true ? "Plan the 1.2 release" : "4";
    await run("switchboard.startNativeSession", { kind: "thread", thread });

    expect(offeredAgents).toEqual(["planner-bot", "critic-bot"]);
    expect(plane.callsTo("nativeSessions:start")).toEqual([
      {
        threadId: "th1",
        participants: [
          { agentId: "a1", role: "planner" },
          { agentId: "a2", role: "critic" },
        ],
        goal: "Plan the 1.2 release",
        maxTurns: 4,
      },
    ]);
    expect(opened).toEqual([["thread", { threadId: "th1" }]]);
  });

  test("start: no native agents says how to make one, and starts nothing", async () => {
    plane.handlers.set("agents:list", () => [agents[2]]);
    await run("switchboard.startNativeSession", { kind: "thread", thread });
    expect(ui.shown.at(-1)?.text).toMatch(/Create Native Agent/);
    expect(plane.callsTo("nativeSessions:start")).toEqual([]);
  });

  test("stop: the thread's running session, or a clear message", async () => {
    plane.handlers.set("nativeSessions:forThread", () => ({
      _id: "ns1",
      status: "running",
    }));
    plane.handlers.set("nativeSessions:stop", () => null);
    await run("switchboard.stopNativeSession", { kind: "thread", thread });
    expect(plane.callsTo("nativeSessions:stop")).toEqual([
      { sessionId: "ns1" },
    ]);

    plane.handlers.set("nativeSessions:forThread", () => ({
      _id: "ns1",
      status: "ended",
    }));
    await run("switchboard.stopNativeSession", { kind: "thread", thread });
    expect(ui.shown.at(-1)).toMatchObject({
      kind: "error",
      text: "Switchboard: No native session is running in this thread.",
    });
    expect(plane.callsTo("nativeSessions:stop")).toHaveLength(1);
  });

  test("create a native agent with its instructions", async () => {
    plane.handlers.set("agents:create", () => "a9");
    ui.input = ({ title }) =>
      title?.endsWith("name") === true ? " release-planner " : "Plan releases.";
    await run("switchboard.createNativeAgent");
    expect(plane.callsTo("agents:create")).toEqual([
      {
        orgId: "o1",
        name: "release-planner",
        kind: "native",
        instructions: "Plan releases.",
      },
    ]);
  });
});
