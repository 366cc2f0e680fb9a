/**
 * The git side of a sandbox: one worktree per task, on its own branch, next to
 * the person's own checkout. Every check runs before anything is written, so a
 * refused request leaves the repository exactly as it was. Removal, which never
 * throws away work that exists nowhere else, is in worktreeCleanup.ts. No
 * vscode import.
 */
import { mkdir, readdir, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { SimpleGit } from "simple-git";
import { SandboxStageError } from "./stageError";
import {
  ask,
  branchExists,
  commonDir,
  errorText,
  findWorktree,
  gitProblem,
  headOf,
  isDirectory,
  listWorktrees,
  openRepository,
  trackedChanges,
} from "./gitCommands";

export type WorktreeRequest = {
  repository: string;
  baseBranch: string;
  branch: string;
  worktreePath: string;
  /** The control plane says an earlier attempt of the same task created `branch`. */
  ownedBranch: boolean;
};

export type PreparedWorktree = {
  createdBranch: boolean;
  reused: boolean;
  gitCommonDir: string;
  headCommit: string;
};

export async function prepareWorktree(
  req: WorktreeRequest,
): Promise<PreparedWorktree> {
  const { baseBranch, branch } = req;
  const worktreePath = resolve(req.worktreePath);
  const { git, top } = await openRepository(req.repository);
  if (!(await branchExists(git, baseBranch))) {
    throw new SandboxStageError(
      `Base branch "${baseBranch}" does not exist in ${top}. Create it (or pick another base branch) and retry.`,
    );
  }
  const branchThere = await branchExists(git, branch);
  if (!branchThere || !req.ownedBranch) {
    const current = (
      await ask(git, ["symbolic-ref", "--quiet", "--short", "HEAD"])
    )?.trim();
    const dirty = current === baseBranch ? await trackedChanges(git) : [];
    if (dirty.length > 0) {
      const shown = dirty.slice(0, 10).join(", ");
      const more = dirty.length > 10 ? ` and ${dirty.length - 10} more` : "";
      throw new SandboxStageError(
        `"${baseBranch}" has uncommitted changes in ${top} (${shown}${more}). The sandbox starts from the last commit, so commit or stash them and retry.`,
      );
    }
  }
  if (branchThere && !req.ownedBranch) {
    throw new SandboxStageError(
      `Branch "${branch}" already exists in ${top} and was not created by Switchboard for this task. Delete or rename that branch and retry.`,
    );
  }
  const entry = await findWorktree(git, worktreePath);
  const gitCommonDir = await commonDir(git, top);
  if (entry?.present === true) {
    if (entry.branch !== branch) {
      throw new SandboxStageError(
        `${worktreePath} is already a worktree of ${top} on ${entry.branch === undefined ? "a detached HEAD" : `branch "${entry.branch}"`}, not "${branch}". Remove it (git worktree remove) and retry.`,
      );
    }
    const headCommit = await headOf(worktreePath);
    return { createdBranch: false, reused: true, gitCommonDir, headCommit };
  }
  if (entry === undefined && (await isDirectory(worktreePath))) {
    // Git itself accepts an empty directory; anything else is someone's files.
    if ((await readdir(worktreePath)).length > 0) {
      throw new SandboxStageError(
        `${worktreePath} already exists and is not a worktree of ${top}. Move or delete it and retry.`,
      );
    }
  }
  if (branchThere) {
    const elsewhere = (await listWorktrees(git)).find(
      (w) => w.present && w.branch === branch,
    );
    if (elsewhere !== undefined) {
      throw new SandboxStageError(
        `Branch "${branch}" is checked out at ${elsewhere.path}. Switch that checkout to another branch (or remove that worktree) and retry.`,
      );
    }
  }
  return addWorktree(git, { ...req, worktreePath }, branchThere, gitCommonDir);
}

async function addWorktree(
  git: SimpleGit,
  req: WorktreeRequest,
  branchThere: boolean,
  gitCommonDir: string,
): Promise<PreparedWorktree> {
  const { worktreePath, branch, baseBranch } = req;
  // A stale entry for a deleted directory would make `worktree add` refuse the path.
  await git.raw(["worktree", "prune"]);
  const madeParent = await mkdir(dirname(worktreePath), { recursive: true });
  const args = branchThere
    ? ["worktree", "add", worktreePath, branch]
    : ["worktree", "add", "--no-track", "-b", branch, worktreePath, baseBranch];
  try {
    await git.raw(args);
  } catch (error) {
    if (!branchThere && (await branchExists(git, branch))) {
      await ask(git, ["branch", "-D", branch]);
    }
    await ask(git, ["worktree", "prune"]);
    if (madeParent !== undefined)
      await removeEmptyDirs(madeParent, worktreePath);
    const message = errorText(error);
    throw new SandboxStageError(
      `Could not create the worktree at ${worktreePath}: ${gitProblem(message)}`,
      message,
      { cause: error },
    );
  }
  const headCommit = await headOf(worktreePath);
  return {
    createdBranch: !branchThere,
    reused: false,
    gitCommonDir,
    headCommit,
  };
}

/** Removes the directories mkdir created (from the deepest up), if still empty. */
async function removeEmptyDirs(
  topCreated: string,
  worktreePath: string,
): Promise<void> {
  let dir = dirname(worktreePath);
  while (dir.startsWith(topCreated)) {
    const removed = await rmdir(dir).then(
      () => true,
      () => false,
    );
    if (!removed) return;
    dir = dirname(dir);
  }
}
