/**
 * Sandboxes that cannot be made: a dirty base branch, a branch name clash, a
 * broken devcontainer.json and a missing Docker engine each fail at a named
 * stage with a clear error, and leave the repository exactly as it was; a
 * retry after the fix carries on from the failed stage.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { SandboxRunner } from "../../extension/sandboxes/runner";
import { git } from "../support/gitRepo";
import { startSandboxWorld, type SandboxWorld } from "./sandboxWorld";

let sw: SandboxWorld;

beforeAll(async () => {
  sw = await startSandboxWorld();
});
afterAll(async () => {
  await sw?.dispose();
});

/** Everything a failed sandbox must not have changed. */
function repositoryState(): string {
  return [
    git(sw.repository, "branch", "--list", "--format=%(refname) %(objectname)"),
    git(sw.repository, "worktree", "list", "--porcelain"),
    git(sw.repository, "status", "--porcelain"),
  ].join("\n---\n");
}

async function failedAt(
  sandboxId: Id<"sandboxes">,
  runner: SandboxRunner = sw.runner,
) {
  await runner.drain();
  const sandbox = await sw.sandbox(sandboxId);
  expect(sandbox.status, sw.log.join("\n")).toBe("failed");
  const failed = sandbox.stages.find((stage) => stage.state === "failed");
  return { sandbox, stage: failed?.stage, note: sandbox.note ?? "" };
}

describe("a sandbox that cannot be made", () => {
  test("dirty base branch: worktree stage error, nothing changed; retry after the fix is ready", async () => {
    await writeFile(join(sw.repository, "README.md"), "# app, edited\n");
    const before = repositoryState();
    const sandboxId = await sw.request(await sw.newTask("Dirty base"));
    const { stage, note } = await failedAt(sandboxId);
    expect(stage).toBe("worktree");
    expect(note).toMatch(/uncommitted/i);
    expect(note).toContain("README.md");
    expect(repositoryState()).toBe(before);

    git(sw.repository, "checkout", "--", "README.md");
    await sw.world.owner.mutation(api.sandboxes.change, {
      sandboxId,
      change: "retry",
    });
    await sw.runner.drain();
    const retried = await sw.sandbox(sandboxId);
    expect(retried.status, retried.note).toBe("ready");
  });

  test("branch name clash: worktree stage error, the existing branch untouched", async () => {
    const sandboxId = await sw.request(await sw.newTask("Clashing name"));
    const { branch } = await sw.sandbox(sandboxId);
    git(sw.repository, "branch", branch);
    const before = repositoryState();
    const { stage, note } = await failedAt(sandboxId);
    expect(stage).toBe("worktree");
    expect(note).toContain(branch);
    expect(note).toMatch(/already exists/);
    expect(repositoryState()).toBe(before);
    git(sw.repository, "branch", "-D", branch);
  });

  test("broken devcontainer.json: a line and column, nothing changed", async () => {
    await mkdir(join(sw.repository, ".devcontainer"), { recursive: true });
    await writeFile(
      join(sw.repository, ".devcontainer", "devcontainer.json"),
      '{\n  // the image\n  "image": "switchboard-sandbox:bookworm",,\n}\n',
    );
    git(sw.repository, "add", ".devcontainer");
    git(sw.repository, "commit", "-q", "-m", "broken dev container");
    try {
      const before = repositoryState();
      const sandboxId = await sw.request(await sw.newTask("Broken config"));
      const { stage, note } = await failedAt(sandboxId);
      expect(stage).toBe("worktree");
      expect(note).toMatch(
        /\.devcontainer\/devcontainer\.json on main line 3, column \d+/,
      );
      expect(repositoryState()).toBe(before);
    } finally {
      git(sw.repository, "rm", "-q", "-r", ".devcontainer");
      git(sw.repository, "commit", "-q", "-m", "remove broken dev container");
    }
  });

  test("no Docker engine: a clear error naming the host, nothing changed", async () => {
    const noEngine = new SandboxRunner(
      sw.calls,
      { ...sw.env, dockerHost: "unix:///tmp/switchboard-no-docker.sock" },
      (line) => sw.log.push(line),
    );
    const before = repositoryState();
    const sandboxId = await sw.request(await sw.newTask("No engine"));
    const { stage, note } = await failedAt(sandboxId, noEngine);
    expect(stage).toBe("worktree");
    expect(note).toMatch(
      /No Docker engine at unix:\/\/\/tmp\/switchboard-no-docker\.sock/,
    );
    expect(repositoryState()).toBe(before);
  });
});
