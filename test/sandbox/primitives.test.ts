/**
 * The sandbox primitives end to end on the real Docker engine and the local
 * image (scripts/build-sandbox-image.sh): a task worktree, the default dev
 * container with our additions, the CLI's up / run-user-commands / exec, and the
 * container lifecycle. Every container made here carries a switchboard.sandbox
 * label unique to this run and is removed in afterAll.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  loadDevcontainerConfig,
  withSandboxAdditions,
  writeOverrideConfig,
} from "../../extension/sandboxes/devcontainerConfig";
import {
  DevcontainerCli,
  defaultDevcontainerCliPath,
  type SandboxTarget,
} from "../../extension/sandboxes/devcontainerCli";
import {
  containerName,
  containerState,
  containersWithLabel,
  dockerEngineCheck,
  removeContainer,
  startContainer,
  stopContainer,
} from "../../extension/sandboxes/docker";
import { prepareWorktree } from "../../extension/sandboxes/git";
import { SandboxStageError } from "../../extension/sandboxes/stageError";
import { git, makeRepository } from "../support/gitRepo";

const root = realpathSync(mkdtempSync(join(tmpdir(), "sb-sandbox-")));
const runId = `test-${process.pid}-${Date.now()}`;
const sandboxId = `${runId}-a`;
const brokenId = `${runId}-missing-image`;
const branch = "switchboard/AA-1-sandbox";
const cli = new DevcontainerCli({
  cliPath: defaultDevcontainerCliPath(),
  nodePath: process.execPath,
});

let target: SandboxTarget;
let worktreePath: string;
let containerId: string;
const logs: string[] = [];

beforeAll(async () => {
  await dockerEngineCheck();
  const repo = makeRepository(join(root, "repo"), "hello\n");
  worktreePath = join(root, "worktrees", "AA-1");
  const prepared = await prepareWorktree({
    repository: repo,
    baseBranch: "main",
    branch,
    worktreePath,
    ownedBranch: false,
  });
  const toolsDir = join(root, "tools");
  mkdirSync(toolsDir);
  writeFileSync(join(toolsDir, "marker.txt"), "tools\n");
  const loaded = await loadDevcontainerConfig(worktreePath);
  expect(loaded.source).toBe("default");
  const config = withSandboxAdditions(
    // Shows which commands ran: up skips it, run-user-commands runs it.
    { ...loaded.config, postCreateCommand: "touch /tmp/post-created" },
    {
      sandboxId,
      worktreePath,
      gitCommonDir: prepared.gitCommonDir,
      backendUrl: "http://127.0.0.1:3210",
      siteUrl: "http://127.0.0.1:3211",
      hostNetwork: true,
      toolsDir,
    },
  );
  const overrideConfigPath = await writeOverrideConfig(
    config,
    join(root, "override", sandboxId),
  );
  target = { workspaceFolder: worktreePath, overrideConfigPath, sandboxId };
});

afterAll(async () => {
  for (const id of [sandboxId, brokenId]) {
    for (const container of await containersWithLabel(
      `switchboard.sandbox=${id}`,
    )) {
      await removeContainer(container);
    }
  }
  rmSync(root, { recursive: true, force: true });
});

async function sh(script: string, stdin?: string) {
  return cli.exec(
    target,
    ["sh", "-c", script],
    stdin === undefined ? {} : { stdin },
  );
}

describe("a sandbox on the real engine", () => {
  test("up starts the container with the worktree at the same path", async () => {
    const result = await cli.up(target, {
      skipPostCreate: true,
      onLog: (line) => logs.push(line),
    });
    containerId = result.containerId;
    expect(result.remoteUser).toBe("root");
    expect(await containerState(containerId)).toBe("running");
    expect(await containerName(containerId)).toMatch(/^\/[\w.-]+$/);
    expect(
      await containersWithLabel(`switchboard.sandbox=${sandboxId}`),
    ).toEqual([containerId]);
    expect(logs.some((line) => line.includes("docker"))).toBe(true);
    expect(logs.join("\n")).not.toContain("\u001b[");
  });

  test("git inside the container sees the task branch in the worktree", async () => {
    const status = await cli.exec(target, [
      "git",
      "status",
      "--porcelain",
      "--branch",
    ]);
    expect(status).toMatchObject({ exitCode: 0, stderr: "" });
    expect(status.stdout.trim()).toBe(`## ${branch}`);
    const where = await sh(
      "pwd; printenv SWITCHBOARD_SANDBOX_ID SWITCHBOARD_URL",
    );
    expect(where.stdout.trim().split("\n")).toEqual([
      worktreePath,
      sandboxId,
      "http://127.0.0.1:3210",
    ]);
  });

  test("exec forwards stdin; the file lands in the container, not the worktree", async () => {
    const secret = `token-${runId}\n`.repeat(2000);
    const written = await sh(
      "cat > /tmp/agent-input && wc -c < /tmp/agent-input",
      secret,
    );
    expect(written).toMatchObject({ exitCode: 0 });
    expect(Number(written.stdout.trim())).toBe(Buffer.byteLength(secret));
    expect(existsSync(join(worktreePath, "agent-input"))).toBe(false);
    expect(git(worktreePath, "status", "--porcelain")).toBe("");
  });

  test("exec: node runs, exit codes and stderr come back, tools are read-only", async () => {
    const node = await cli.exec(target, ["node", "--version"]);
    expect(node.stdout.trim()).toMatch(/^v20\./);
    const failing = await sh("echo oops >&2; exit 3");
    expect(failing).toEqual({ exitCode: 3, stdout: "", stderr: "oops\n" });
    const tools = await sh(
      "cat /opt/switchboard/marker.txt; touch /opt/switchboard/x",
    );
    expect(tools.stdout).toBe("tools\n");
    expect(tools.exitCode).not.toBe(0);
  });

  test("run-user-commands runs the postCreateCommand that up skipped", async () => {
    expect((await sh("test -e /tmp/post-created")).exitCode).toBe(1);
    await cli.runUserCommands(target);
    expect((await sh("test -e /tmp/post-created")).exitCode).toBe(0);
  });

  test("stop, start, up again on the same container, remove", async () => {
    await stopContainer(containerId);
    expect(await containerState(containerId)).toBe("stopped");
    await startContainer(containerId);
    expect(await containerState(containerId)).toBe("running");
    await stopContainer(containerId);
    expect((await cli.up(target, { skipPostCreate: true })).containerId).toBe(
      containerId,
    );
    expect(await containerState(containerId)).toBe("running");
    await removeContainer(containerId);
    expect(await containerState(containerId)).toBe("missing");
    await removeContainer(containerId);
    await stopContainer(containerId);
    const gone = await cli.exec(target, ["true"]).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SandboxStageError);
    expect((gone as SandboxStageError).message).toMatch(
      /Dev container not found/,
    );
  });
});

describe("failures are SandboxStageErrors a person can act on", () => {
  test("no engine behind DOCKER_HOST", async () => {
    const error = await dockerEngineCheck("unix:///nonexistent.sock").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SandboxStageError);
    expect((error as SandboxStageError).message).toMatch(
      /^No Docker engine at unix:\/\/\/nonexistent\.sock: .+\. Start Docker \(or check DOCKER_HOST\) and retry\.$/,
    );
  });

  test("a broken devcontainer.json", async () => {
    const dir = join(root, "broken");
    mkdirSync(join(dir, ".devcontainer"), { recursive: true });
    writeFileSync(
      join(dir, ".devcontainer", "devcontainer.json"),
      `{ "image": }`,
    );
    const error = await loadDevcontainerConfig(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxStageError);
    expect((error as SandboxStageError).message).toMatch(
      /line 1, column 12: value expected/,
    );
  });

  test("an image that is not there (and no registry to pull from)", async () => {
    const dir = join(root, "missing-image");
    mkdirSync(dir);
    const overrideConfigPath = await writeOverrideConfig(
      {
        image: "switchboard-missing-image:never",
        workspaceMount: `source=${dir},target=${dir},type=bind`,
        workspaceFolder: dir,
      },
      join(root, "override", brokenId),
    );
    const error = await cli
      .up(
        { workspaceFolder: dir, overrideConfigPath, sandboxId: brokenId },
        { skipPostCreate: true },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxStageError);
    const stage = error as SandboxStageError;
    expect(stage.message).toMatch(
      /^Could not start the dev container: .*docker pull switchboard-missing-image:never/,
    );
    expect(stage.logTail).toContain("switchboard-missing-image");
  });
});
