/**
 * The worktree primitives against real git repositories in temp dirs: creation,
 * reuse, every refusal leaving the repository untouched, and removal that never
 * loses unmerged, unpushed or uncommitted work.
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
import { afterAll, describe, expect, test } from "vitest";
import {
  prepareWorktree,
  type WorktreeRequest,
} from "../../../../extension/sandboxes/git";
import {
  inspectWorktree,
  removeWorktree,
} from "../../../../extension/sandboxes/worktreeCleanup";
import { SandboxStageError } from "../../../../extension/sandboxes/stageError";
import { git, makeRepository } from "../../../support/gitRepo";

const root = realpathSync(mkdtempSync(join(tmpdir(), "sb-git-")));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;

/** A repository with one commit on main. */
function newRepo(): string {
  return makeRepository(join(root, `repo-${++counter}`), "hello\n");
}

function request(
  repo: string,
  overrides: Partial<WorktreeRequest> = {},
): WorktreeRequest {
  return {
    repository: repo,
    baseBranch: "main",
    branch: "switchboard/AA-1-fix",
    worktreePath: join(root, "worktrees", `wt-${counter}`, "AA-1"),
    ownedBranch: false,
    ...overrides,
  };
}

/** Everything a refused request must leave as it was. */
function snapshot(repo: string): string[] {
  return [
    git(repo, "branch", "--list"),
    git(repo, "worktree", "list", "--porcelain"),
    git(repo, "status", "--porcelain"),
  ];
}

async function refusal(promise: Promise<unknown>): Promise<SandboxStageError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxStageError);
  return error as SandboxStageError;
}

describe("prepareWorktree", () => {
  test("creates the branch from the base and a worktree on it, then reuses it", async () => {
    const repo = newRepo();
    const req = request(repo);
    const first = await prepareWorktree(req);
    expect(first).toMatchObject({ createdBranch: true, reused: false });
    expect(first.gitCommonDir).toBe(join(repo, ".git"));
    expect(first.headCommit).toBe(git(repo, "rev-parse", "main").trim());
    expect(git(req.worktreePath, "branch", "--show-current").trim()).toBe(
      req.branch,
    );
    // No upstream: a local base must not make the branch look "pushed".
    expect(
      git(
        repo,
        "for-each-ref",
        "--format=%(upstream)",
        `refs/heads/${req.branch}`,
      ).trim(),
    ).toBe("");

    const again = await prepareWorktree({ ...req, ownedBranch: true });
    expect(again).toEqual({ ...first, createdBranch: false, reused: true });
  });

  test("refuses a base branch with uncommitted tracked changes and names the files", async () => {
    const repo = newRepo();
    writeFileSync(join(repo, "README.md"), "changed\n");
    writeFileSync(join(repo, "staged.txt"), "new\n");
    git(repo, "add", "staged.txt");
    writeFileSync(join(repo, "untracked.txt"), "ignored by the check\n");
    const before = snapshot(repo);
    const error = await refusal(prepareWorktree(request(repo)));
    expect(error.message).toContain("README.md");
    expect(error.message).toContain("staged.txt");
    expect(error.message).not.toContain("untracked.txt");
    expect(error.message).toMatch(/commit or stash/);
    expect(snapshot(repo)).toEqual(before);
  });

  test("untracked files alone do not block", async () => {
    const repo = newRepo();
    writeFileSync(join(repo, "scratch.txt"), "mine\n");
    await expect(prepareWorktree(request(repo))).resolves.toMatchObject({
      createdBranch: true,
    });
  });

  test("refuses an existing branch it did not create, and leaves it alone", async () => {
    const repo = newRepo();
    git(repo, "branch", "switchboard/AA-1-fix");
    const before = snapshot(repo);
    const error = await refusal(prepareWorktree(request(repo)));
    expect(error.message).toMatch(/already exists.*not created by Switchboard/);
    expect(snapshot(repo)).toEqual(before);
  });

  test("reuses a branch an earlier attempt created", async () => {
    const repo = newRepo();
    git(repo, "branch", "switchboard/AA-1-fix");
    const result = await prepareWorktree(request(repo, { ownedBranch: true }));
    expect(result).toMatchObject({ createdBranch: false, reused: false });
  });

  test("refuses a missing base branch, a non-repository and a path with files", async () => {
    const repo = newRepo();
    const before = snapshot(repo);
    expect(
      (await refusal(prepareWorktree(request(repo, { baseBranch: "develop" }))))
        .message,
    ).toMatch(/Base branch "develop" does not exist/);
    const plain = join(root, "plain");
    mkdirSync(plain);
    expect((await refusal(prepareWorktree(request(plain)))).message).toMatch(
      /not a git repository/,
    );
    const occupied = join(root, "occupied");
    mkdirSync(occupied);
    writeFileSync(join(occupied, "file"), "x");
    expect(
      (
        await refusal(
          prepareWorktree(request(repo, { worktreePath: occupied })),
        )
      ).message,
    ).toMatch(/already exists and is not a worktree/);
    expect(snapshot(repo)).toEqual(before);
  });

  test("a failed worktree add leaves no branch and no directory behind", async () => {
    const repo = newRepo();
    const before = snapshot(repo);
    const req = request(repo, { branch: "bad..name" });
    const error = await refusal(prepareWorktree(req));
    expect(error.message).toMatch(
      /Could not create the worktree.*not a valid branch name/,
    );
    expect(snapshot(repo)).toEqual(before);
    expect(existsSync(join(req.worktreePath, ".."))).toBe(false);
  });

  test("a worktree add that fails after creating the branch deletes that branch", async () => {
    const repo = newRepo();
    // git creates the branch, then cannot create its .git/worktrees/<name> admin dir.
    writeFileSync(join(repo, ".git", "worktrees"), "in the way\n");
    const before = git(repo, "branch", "--list");
    const error = await refusal(prepareWorktree(request(repo)));
    expect(error.message).toMatch(/Could not create the worktree/);
    expect(error.logTail).not.toBe("");
    expect(git(repo, "branch", "--list")).toBe(before);
  });
});

describe("inspectWorktree and removeWorktree", () => {
  async function prepared() {
    const repo = newRepo();
    const req = request(repo);
    await prepareWorktree(req);
    const ref = {
      repository: repo,
      worktreePath: req.worktreePath,
      branch: req.branch,
      baseBranch: "main",
    };
    return { repo, ref };
  }

  function commitIn(dir: string, file: string): void {
    writeFileSync(join(dir, file), `${file}\n`);
    git(dir, "add", file);
    git(dir, "commit", "--quiet", "-m", file);
  }

  test("a merged branch: worktree and branch removed", async () => {
    const { repo, ref } = await prepared();
    commitIn(ref.worktreePath, "a.txt");
    git(repo, "merge", "--quiet", "--ff-only", ref.branch);
    expect(await inspectWorktree(ref)).toEqual({
      exists: true,
      dirty: false,
      merged: true,
      pushed: false,
      aheadOfBase: 0,
    });
    expect(await removeWorktree(ref)).toMatchObject({ removed: true });
    expect(existsSync(ref.worktreePath)).toBe(false);
    expect(git(repo, "branch", "--list", ref.branch).trim()).toBe("");
  });

  test("an unmerged, unpushed commit: kept, with the reason", async () => {
    const { repo, ref } = await prepared();
    commitIn(ref.worktreePath, "a.txt");
    commitIn(ref.worktreePath, "b.txt");
    expect(await inspectWorktree(ref)).toMatchObject({
      merged: false,
      pushed: false,
      aheadOfBase: 2,
    });
    const result = await removeWorktree(ref);
    expect(result).toEqual({
      removed: false,
      reason: `branch ${ref.branch} has 2 commits not merged into main and not pushed; worktree kept at ${ref.worktreePath}`,
    });
    expect(existsSync(join(ref.worktreePath, "b.txt"))).toBe(true);
    expect(git(repo, "branch", "--list", ref.branch)).toContain(ref.branch);
  });

  test("uncommitted changes (even untracked files): kept", async () => {
    const { ref } = await prepared();
    writeFileSync(join(ref.worktreePath, "notes.txt"), "work in progress\n");
    expect(await inspectWorktree(ref)).toMatchObject({
      dirty: true,
      merged: true,
    });
    const result = await removeWorktree(ref);
    expect(result.removed).toBe(false);
    expect(result.reason).toContain("uncommitted changes in");
    expect(existsSync(join(ref.worktreePath, "notes.txt"))).toBe(true);
  });

  test("pushed to a remote: worktree removed, local branch kept", async () => {
    const { repo, ref } = await prepared();
    const remote = join(root, `remote-${counter}.git`);
    git(root, "init", "--quiet", "--bare", remote);
    git(repo, "remote", "add", "origin", remote);
    commitIn(ref.worktreePath, "a.txt");
    git(ref.worktreePath, "push", "--quiet", "-u", "origin", ref.branch);
    expect(await inspectWorktree(ref)).toMatchObject({
      merged: false,
      pushed: true,
      aheadOfBase: 1,
    });
    expect(await removeWorktree(ref)).toEqual({
      removed: true,
      reason: "pushed",
    });
    expect(existsSync(ref.worktreePath)).toBe(false);
    expect(git(repo, "branch", "--list", ref.branch)).toContain(ref.branch);
  });

  test("a worktree directory deleted by hand: pruned, reported as already gone", async () => {
    const { repo, ref } = await prepared();
    rmSync(ref.worktreePath, { recursive: true, force: true });
    expect(await inspectWorktree(ref)).toMatchObject({ exists: false });
    expect(await removeWorktree(ref)).toEqual({
      removed: true,
      reason: "already gone",
    });
    expect(git(repo, "worktree", "list", "--porcelain")).not.toContain(
      ref.worktreePath,
    );
  });
});
