/**
 * Switchboard as a person uses it, in a real VS Code (code-server) in Chromium, with
 * the packaged .vsix installed and nothing else: the extension starts its own local
 * backend in its global storage and signs the person in as the owner. A second
 * client (the official ConvexClient, signed in as the same owner) and an agent
 * (its own token) act on the same backend from the test, as another window and a
 * Claude Code session would.
 *
 * Screenshots of the board, task detail, thread and approvals inbox in the dark
 * and light themes land in test-artifacts/vscode/.
 */
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import type { Workbench } from "../../support/workbench";
import {
  connectOwner,
  provisionAgentClient,
  waitForBackend,
  waitFor,
  type OwnerClient,
} from "./backendClients";

import {
  LIGHT_THEME,
  openVscodeSession,
  vscodeSkipReason,
  type VscodeSession,
} from "./vscodeSession";

describe.skipIf(vscodeSkipReason !== undefined)(
  "Switchboard's views in VS Code (code-server + Chromium)",
  () => {
    let session: VscodeSession | undefined;
    let wb: Workbench;
    let owner: OwnerClient | undefined;
    let taskId: Id<"tasks"> | undefined;

    beforeAll(async () => {
      session = await openVscodeSession("views");
      wb = session.workbench;
    }, 170_000);

    afterAll(async () => {
      await owner?.close();
      await session?.close();
    });

    function explainFailures(name: string): void {
      session?.explainFailures(name);
    }

    /** The webview frame of a view, found by its root test id. */
    async function view(testId: string): Promise<Frame> {
      return await wb.webviewFrame(`[data-testid="${testId}"]`, 30_000);
    }

    test("opening the sidebar starts the local backend and signs the owner in", async () => {
      explainFailures("connect");
      await wb.openViewContainer("Switchboard");
      await wb.waitForStatusBar(/Switchboard/);
      const dataDir = session!.backendDataDir;
      const backend = await waitForBackend(dataDir, 60_000);
      owner = await connectOwner(backend, dataDir);
      // Connected: the status bar names the project and the kind of backend.
      const status = await wb.waitForStatusBar(
        /Switchboard: \w+ \(local\)/,
        60_000,
      );
      expect(status).toContain(`Switchboard: ${owner.projectKey} (local)`);
      // The Tasks view's welcome for a connected, empty project (shown on the
      // `switchboard.connected` context key the extension sets).
      await wb.page
        .locator(".part.sidebar", { hasText: "No tasks yet" })
        .waitFor({ state: "visible", timeout: 30_000 });
      await wb.screenshot("sidebar-connected-dark");
    });

    test("Create Task from the palette creates it in the backend", async () => {
      explainFailures("create");
      expect(owner, "connected in the previous test").toBeDefined();
      await wb.runCommand("Switchboard: Create Task");
      await wb.answerQuickInput(/title/i, "Write the e2e test");
      await wb.answerQuickInput(/description/i, "");
      await wb.answerQuickInput(/priority/i, "");
      await wb.waitForNotification(/Created/);
      taskId = await waitFor(async () => {
        const page = await owner!.client.query(api.board.column, {
          projectId: owner!.projectId,
          status: "todo",
          paginationOpts: { numItems: 50, cursor: null },
        });
        return page.page.find((card) => card.title === "Write the e2e test")
          ?._id;
      }, 10_000);
    });

    test("the board: drag to In Progress reaches a second client; its change reaches the board within 1 s", async () => {
      explainFailures("board");
      expect(taskId, "created in the previous test").toBeDefined();
      await wb.runCommand("Switchboard: Open Board");
      const board = await view("board-column-in_progress");
      const card = board.locator(`[data-task-id="${taskId}"]`);
      await card.waitFor({ state: "visible", timeout: 30_000 });
      await card.dragTo(
        board.locator('[data-testid="board-column-in_progress"]'),
      );
      const moved = await owner!.waitForTask(
        taskId!,
        (task) => task.status === "in_progress",
        10_000,
      );
      expect(moved.status).toBe("in_progress");

      // A change from the other client shows on the board.
      const sentAt = Date.now();
      await owner!.client.mutation(api.tasks.update, {
        taskId: taskId!,
        title: "Write the e2e test (renamed elsewhere)",
      });
      await board
        .locator(`[data-task-id="${taskId}"]`, {
          hasText: "renamed elsewhere",
        })
        .waitFor({ state: "visible", timeout: 5_000 });
      expect(Date.now() - sentAt).toBeLessThan(1_000);
      await wb.screenshot("board-dark");
    });

    test("an illegal move is refused with a clear message and the card stays", async () => {
      explainFailures("illegal-move");
      const board = await view("board-column-in_progress");
      // In progress -> Backlog is not a transition of the state machine.
      await board
        .locator(`[data-task-id="${taskId}"]`)
        .dragTo(board.locator('[data-testid="board-column-backlog"]'));
      await board
        .locator('[data-testid="board-error"]')
        .waitFor({ state: "visible", timeout: 5_000 });
      expect(
        await board.locator('[data-testid="board-error"]').textContent(),
      ).toMatch(/cannot move/i);
      const task = await owner!.client.query(api.tasks.get, {
        taskId: taskId!,
      });
      expect(task.status).toBe("in_progress");
    });

    test("an agent's approval request shows in the inbox with a notification; approving resolves it", async () => {
      explainFailures("approval");
      const agent = await provisionAgentClient(owner!, "e2e-agent");
      try {
        const approvalId = await agent.requestApproval(
          taskId!,
          "Deploy the preview",
        );
        await wb.waitForNotification(/Deploy the preview/, 30_000);
        await wb.screenshot("approval-notification-dark");
        await wb.runCommand("Switchboard: Open Approvals Inbox");
        const inbox = await view("approvals-inbox");
        await inbox
          .locator(`[data-approval-id="${approvalId}"]`)
          .first()
          .click();
        await wb.screenshot("approvals-dark");
        await inbox.locator('[data-testid="approval-approve"]').click();
        const decided = await owner!.waitForApproval(
          approvalId,
          (approval) => approval.status !== "pending",
          10_000,
        );
        expect(decided.status).toBe("approved");
      } finally {
        await agent.close();
      }
    });

    test("a workflow run: started from the palette, its DAG live in the run panel; the budgets panel draws the envelope", async () => {
      explainFailures("workflow");
      const agent = await provisionAgentClient(owner!, "e2e-builder");
      try {
        await owner!.client.mutation(api.workflows.save, {
          projectId: owner!.projectId,
          source: [
            "name: e2e-release",
            "steps:",
            "  build:",
            "    executor: external",
            "    agent: e2e-builder",
            "    prompt: Build it",
            "  ship:",
            "    executor: external",
            "    agent: e2e-builder",
            "    needs: build",
            "    prompt: Ship it",
            "",
          ].join("\n"),
        });
        await wb.runCommand("Switchboard: Start Workflow Run");
        await wb.answerQuickInput(/Which workflow/, "e2e-release");
        const panel = await view("run-panel");
        const node = (stepId: string, state: string) =>
          panel
            .locator(
              `[data-testid="dag-node"][data-step-id="${stepId}"][data-state="${state}"]`,
            )
            .waitFor({ state: "visible", timeout: 15_000 });
        await node("build", "running");
        await node("ship", "pending");

        // The agent finishes its step elsewhere; the panel follows live.
        const runId = (await panel
          .locator('[data-testid="run-panel"]')
          .getAttribute("data-run-id")) as Id<"workflowRuns">;
        await agent.completeStep(runId, "build", { artifact: "app.tgz" });
        await node("build", "succeeded");
        await node("ship", "running");
        await wb.screenshot("run-panel-dark");

        await owner!.client.mutation(api.budgets.set, {
          orgId: owner!.orgId,
          scope: "agent",
          agentId: agent.agentId,
          limitTokens: 1_000,
        });
        await wb.runCommand("Switchboard: Open Budgets");
        const budgets = await view("budgets");
        await budgets
          .locator('[data-testid="budget-row"]', { hasText: "e2e-builder" })
          .waitFor({ state: "visible", timeout: 10_000 });
        await wb.screenshot("budgets-dark");
      } finally {
        await agent.close();
      }
    });

    test("task detail and thread render, in the dark and light themes", async () => {
      explainFailures("detail");
      await wb.runCommand("Switchboard: Open Task");
      await wb.answerQuickInput(/task/i, "renamed elsewhere");
      const detail = await view("task-detail");
      expect(
        await detail.locator('[data-testid="task-title"]').textContent(),
      ).toContain("renamed elsewhere");
      await wb.screenshot("task-detail-dark");

      await wb.runCommand("Switchboard: Open Thread");
      await wb.answerQuickInput(/task/i, "renamed elsewhere");
      const thread = await view("thread-view");
      const composer = thread.locator('[data-testid="thread-composer"]');
      await composer.fill("Looks good to me.");
      await composer.press("Control+Enter");
      await thread
        .locator('[data-testid="thread-message"]', {
          hasText: "Looks good to me.",
        })
        .waitFor({ state: "visible", timeout: 10_000 });
      await wb.screenshot("thread-dark");

      await wb.setColorTheme(LIGHT_THEME);
      await wb.waitForTheme("light");
      await wb.screenshot("thread-light");
      for (const [command, testId, name] of [
        ["Switchboard: Open Board", "board-column-todo", "board-light"],
        [
          "Switchboard: Open Approvals Inbox",
          "approvals-inbox",
          "approvals-light",
        ],
      ] as const) {
        await wb.runCommand(command);
        await view(testId);
        await wb.screenshot(name);
      }
      await wb.runCommand("Switchboard: Open Task");
      await wb.answerQuickInput(/task/i, "renamed elsewhere");
      await view("task-detail");
      await wb.screenshot("task-detail-light");
      expect(wb.pageErrors).toEqual([]);
    });
  },
);
