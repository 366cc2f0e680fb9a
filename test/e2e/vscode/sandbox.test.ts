/**
 * A sandbox opened from the board, in a real VS Code (code-server + Chromium) on a
 * real Docker engine: the workspace is a git repository (branch main, one commit),
 * the owner's second client makes an agent and a task assigned to it, the person
 * clicks the card's sandbox button, takes the base branch (Enter: main), and the
 * window's own runner brings the sandbox up (worktree next to the workspace, dev
 * container from the local image). The task detail shows every stage done and the
 * status "ready"; the board card shows its badge.
 *
 * Needs what the other VS Code tests need plus a Docker engine and the local image
 * (scripts/install-docker.sh); skipped with the reason otherwise. The screenshot
 * lands in test-artifacts/vscode/sandbox-ready.png.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import type { Frame } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import {
  containersWithLabel,
  removeContainer,
} from "../../../extension/sandboxes/docker";
import type { Workbench } from "../../support/workbench";
import {
  connectOwner,
  waitFor,
  waitForBackend,
  type OwnerClient,
} from "./backendClients";
import {
  openVscodeSession,
  vscodeSkipReason,
  type VscodeSession,
} from "./vscodeSession";

const IMAGE =
  process.env.SWITCHBOARD_SANDBOX_IMAGE ?? "switchboard-sandbox:bookworm";
const TASK_TITLE = "Add a health endpoint";

/** Why no sandbox can be made here, or undefined when one can. */
function dockerSkipReason(): string | undefined {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (info.error !== undefined || info.status !== 0) {
    return "no Docker engine answers `docker info`: run `bash scripts/install-docker.sh`";
  }
  const image = spawnSync("docker", ["image", "inspect", IMAGE], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (image.status !== 0) {
    return `the image ${IMAGE} is missing: run \`bash scripts/install-docker.sh\``;
  }
  return undefined;
}

const sandboxSkipReason = vscodeSkipReason ?? dockerSkipReason();
if (sandboxSkipReason !== undefined && vscodeSkipReason === undefined) {
  console.warn(`[e2e/vscode sandbox] skipped: ${sandboxSkipReason}`);
}

/** The runner's repository: branch main with one commit. */
async function makeGitRepository(dir: string): Promise<void> {
  const git = (...args: string[]) =>
    promisify(execFile)("git", args, { cwd: dir, timeout: 30_000 });
  await git("init", "-q", "-b", "main");
  await git("config", "user.email", "dev@example.com");
  await git("config", "user.name", "Dev");
  await git("add", ".");
  await git("commit", "-q", "-m", "init");
}

describe.skipIf(sandboxSkipReason !== undefined)(
  "a sandbox opened from the board (code-server + Chromium + Docker)",
  () => {
    let session: VscodeSession | undefined;
    let wb: Workbench;
    let owner: OwnerClient | undefined;
    let taskId: Id<"tasks"> | undefined;
    let sandboxId: Id<"sandboxes"> | undefined;

    beforeAll(async () => {
      session = await openVscodeSession("sandbox", {
        prepareWorkspace: makeGitRepository,
      });
      wb = session.workbench;
    }, 170_000);

    afterAll(async () => {
      if (sandboxId !== undefined) {
        for (const container of await containersWithLabel(
          `switchboard.sandbox=${sandboxId}`,
        )) {
          await removeContainer(container);
        }
      }
      await owner?.close();
      await session?.close();
    }, 60_000);

    async function view(testId: string): Promise<Frame> {
      return await wb.webviewFrame(`[data-testid="${testId}"]`, 30_000);
    }

    test("connects, and the owner's other client makes an agent and its task", async () => {
      session!.explainFailures("sandbox-connect");
      await wb.openViewContainer("Switchboard");
      const dataDir = session!.backendDataDir;
      const backend = await waitForBackend(dataDir, 60_000);
      owner = await connectOwner(backend, dataDir);
      await wb.waitForStatusBar(/Switchboard: \w+ \(local\)/, 60_000);
      const agentId = await owner.client.mutation(api.agents.create, {
        orgId: owner.orgId,
        name: "sandbox-agent",
      });
      taskId = await owner.client.mutation(api.tasks.create, {
        projectId: owner.projectId,
        title: TASK_TITLE,
        status: "todo",
        assigneeId: agentId,
      });
    });

    test("the card's sandbox button, Enter for main: the task detail shows every stage done and ready", async () => {
      session!.explainFailures("sandbox-open");
      expect(taskId, "created in the previous test").toBeDefined();
      await wb.runCommand("Switchboard: Open Board");
      const board = await view("board-column-todo");
      const card = board.locator(`[data-task-id="${taskId}"]`);
      await card.waitFor({ state: "visible", timeout: 30_000 });
      // Shown on hover only (opacity 0), but there and clickable.
      await card.hover();
      await card.locator('[data-testid="card-open-sandbox"]').click();
      // The checked-out branch comes first: Enter takes main. The task's
      // assignee is an agent, so no agent is asked for.
      await wb.answerQuickInput(/Sandbox: base branch/, "");

      sandboxId = await waitFor(
        async () =>
          (
            await owner!.client.query(api.sandboxes.forTask, {
              taskId: taskId!,
            })
          )?._id,
        15_000,
        "the sandbox request",
      );

      // The task detail, opened from the card.
      await card.click();
      const detail = await wb.webviewFrame(
        '[data-testid="sandbox-section"]',
        30_000,
      );
      const section = detail.locator('[data-testid="sandbox-section"]');
      const stages = section.locator('[data-testid^="sandbox-stage-"]');
      const status = section.locator('[data-testid="sandbox-status"]');

      // Poll what the section shows while the runner works.
      const seenStates = new Set<string>();
      const seenStatuses = new Set<string>();
      const deadline = Date.now() + 120_000;
      let shownStatus = "";
      for (;;) {
        shownStatus = ((await status.textContent().catch(() => null)) ?? "")
          .trim()
          .toLowerCase();
        if (shownStatus !== "") seenStatuses.add(shownStatus);
        for (const state of await stages.evaluateAll((rows) =>
          rows.map((row) => row.getAttribute("data-state") ?? ""),
        )) {
          seenStates.add(state);
        }
        if (shownStatus === "ready" || shownStatus === "failed") break;
        if (Date.now() > deadline) break;
        await wb.page.waitForTimeout(150);
      }
      const record = await owner!.client.query(api.sandboxes.get, {
        sandboxId,
      });
      expect(
        shownStatus,
        `the section shows ${shownStatus}; record: ${record.status} at ${record.stage}: ${record.note ?? ""}\n${record.logTail}`,
      ).toBe("ready");
      console.info(
        `[e2e/vscode sandbox] statuses seen: ${[...seenStatuses].join(", ")}; stage states seen: ${[...seenStates].join(", ")}`,
      );
      expect(
        seenStates.has("running") || seenStates.has("done"),
        `stage states seen: ${[...seenStates].join(", ")}`,
      ).toBe(true);

      // Every stage ended done.
      const finalStates = await stages.evaluateAll((rows) =>
        rows.map((row) => [
          row.getAttribute("data-testid") ?? "",
          row.getAttribute("data-state") ?? "",
        ]),
      );
      expect(finalStates.length).toBeGreaterThan(0);
      for (const [stage, state] of finalStates) {
        expect(state, stage).toBe("done");
      }
      expect(
        await status.getAttribute("data-status"),
        "the status tag's data-status",
      ).toBe("ready");

      // The command's own word.
      await wb.waitForNotification(
        /The sandbox of \S+ is ready on switchboard\//,
        15_000,
      );

      // The control plane agrees.
      const ready = await owner!.client.query(api.sandboxes.forTask, {
        taskId: taskId!,
      });
      expect(ready?._id).toBe(sandboxId);
      expect(ready?.status).toBe("ready");
      expect(ready?.baseBranch).toBe("main");
      expect(ready?.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(
        await containersWithLabel(`switchboard.sandbox=${sandboxId}`),
      ).toEqual([ready!.containerId]);
      for (const stage of ready!.stages) expect(stage.state).toBe("done");

      await wb.screenshot("sandbox-ready");

      // The board's card shows the badge (and no longer the open button).
      await wb.runCommand("Switchboard: Open Board");
      const boardAgain = await view("board-column-todo");
      const badge = boardAgain.locator(
        `[data-task-id="${taskId}"] [data-testid="card-sandbox"]`,
      );
      await badge.waitFor({ state: "visible", timeout: 15_000 });
      expect(await badge.getAttribute("data-status")).toBe("ready");
      expect(
        await boardAgain
          .locator(
            `[data-task-id="${taskId}"] [data-testid="card-open-sandbox"]`,
          )
          .count(),
      ).toBe(0);
      expect(wb.pageErrors).toEqual([]);
    });

    test("Open in container: a terminal inside the sandbox, in its worktree", async () => {
      session!.explainFailures("sandbox terminal");
      const record = await owner!.client.query(api.sandboxes.get, {
        sandboxId: sandboxId!,
      });
      // No Dev Containers extension in code-server here: the terminal path.
      const board = await view("board-column-todo");
      await board.locator(`[data-task-id="${taskId}"]`).click();
      const detail = await wb.webviewFrame(
        '[data-testid="sandbox-attach"]',
        30_000,
      );
      await detail.locator('[data-testid="sandbox-attach"]').click();
      await wb.page
        .getByText(`Sandbox ${record.taskKey}`)
        .first()
        .waitFor({ state: "visible", timeout: 30_000 });
      // Typed into the focused terminal. /tmp is the container's own (not
      // mounted), so the file proves where the shell runs, and its content
      // that it starts in the worktree.
      const readPwd = async () => {
        const result = await promisify(execFile)(
          "docker",
          ["exec", record.containerId!, "cat", "/tmp/sandbox-terminal-pwd"],
          { timeout: 15_000 },
        ).catch(() => ({ stdout: "" }));
        return result.stdout.trim() === "" ? undefined : result.stdout.trim();
      };
      let pwd: string | undefined;
      for (let attempt = 0; attempt < 3 && pwd === undefined; attempt++) {
        // The shell may still be starting: type again if nothing arrived.
        await wb.page.keyboard.type("pwd > /tmp/sandbox-terminal-pwd\n");
        pwd = await waitFor(readPwd, 20_000, "the terminal's pwd").catch(
          () => undefined,
        );
      }
      expect(pwd).toBe(record.worktreePath);
      await wb.screenshot("sandbox-terminal");
    });
  },
);
