/**
 * Whether a sandbox's worktree may go, and removing it only when nothing in it
 * would be lost: no uncommitted changes, and its commits are in the base branch
 * or on a remote. No vscode import.
 */
import { resolve } from "node:path";
import type { SimpleGit } from "simple-git";
import {
  ask,
  branchTip,
  errorText,
  findWorktree,
  gitAt,
  gitProblem,
  isAncestor,
  isDirectory,
  openRepository,
} from "./gitCommands";
import { SandboxStageError } from "./stageError";

export type WorktreeRef = {
  repository: string;
  worktreePath: string;
  branch: string;
  baseBranch: string;
};

export type WorktreeState = {
  exists: boolean;
  dirty: boolean;
  merged: boolean;
  pushed: boolean;
  aheadOfBase: number;
};

/** simple-git only fails a command that also wrote to stderr; we want every non-zero exit. */

export async function inspectWorktree(
  ref: WorktreeRef,
): Promise<WorktreeState> {
  const { branch, baseBranch } = ref;
  const { git } = await openRepository(ref.repository);
  const entry = await findWorktree(git, ref.worktreePath);
  const exists = entry?.present === true;
  const dirty =
    exists &&
    (await gitAt(ref.worktreePath).raw(["status", "--porcelain"])).trim() !==
      "";
  const tip = await branchTip(git, branch);
  if (tip === undefined)
    return { exists, dirty, merged: false, pushed: false, aheadOfBase: 0 };
  const merged = await isAncestor(git, tip, baseBranch);
  const ahead = await ask(git, [
    "rev-list",
    "--count",
    `refs/heads/${baseBranch}..${tip}`,
  ]);
  const upstream = (
    await git.raw([
      "for-each-ref",
      "--format=%(upstream)",
      `refs/heads/${branch}`,
    ])
  ).trim();
  // Remote-tracking refs that already contain the tip: the upstream, or any remote's same-named branch.
  const containing = (
    await git.raw([
      "for-each-ref",
      "--contains",
      tip,
      "--format=%(refname)",
      "refs/remotes/",
    ])
  )
    .split("\n")
    .map((line) => line.trim());
  const pushed = containing.some(
    (name) =>
      name !== "" &&
      (name === upstream ||
        (/^refs\/remotes\/[^/]+\//.test(name) && name.endsWith(`/${branch}`))),
  );
  return {
    exists,
    dirty,
    merged,
    pushed,
    aheadOfBase: Number(ahead?.trim() ?? 0),
  };
}

/**
 * Removes the worktree only when nothing in it would be lost: no uncommitted
 * changes (ignored files, i.e. build output, do go with it), and its commits
 * are either in the base branch or on a remote. The
 * local branch goes too only when merged (a pushed-only branch is kept, so the
 * person can still find it locally).
 */
export async function removeWorktree(
  ref: WorktreeRef,
): Promise<{ removed: boolean; reason: string }> {
  const worktreePath = resolve(ref.worktreePath);
  const { git } = await openRepository(ref.repository);
  const entry = await findWorktree(git, worktreePath);
  if (entry?.present !== true) {
    if (entry === undefined && (await isDirectory(worktreePath))) {
      return {
        removed: false,
        reason: `${worktreePath} is not a worktree of ${ref.repository}; left alone`,
      };
    }
    await git.raw(["worktree", "prune"]);
    const state = await inspectWorktree({ ...ref, worktreePath });
    if (state.merged) await deleteMergedBranch(git, ref);
    return { removed: true, reason: "already gone" };
  }
  const state = await inspectWorktree({ ...ref, worktreePath });
  if (state.dirty) {
    return {
      removed: false,
      reason: `uncommitted changes in ${worktreePath}; worktree kept`,
    };
  }
  if (!state.merged && !state.pushed) {
    const commits =
      state.aheadOfBase === 1 ? "1 commit" : `${state.aheadOfBase} commits`;
    return {
      removed: false,
      reason: `branch ${ref.branch} has ${commits} not merged into ${ref.baseBranch} and not pushed; worktree kept at ${worktreePath}`,
    };
  }
  try {
    // No --force: git refuses again if files appeared since the check above.
    await git.raw(["worktree", "remove", worktreePath]);
  } catch (error) {
    const message = errorText(error);
    throw new SandboxStageError(
      `Could not remove the worktree at ${worktreePath}: ${gitProblem(message)}`,
      message,
      { cause: error },
    );
  }
  if (state.merged) await deleteMergedBranch(git, ref);
  return { removed: true, reason: state.merged ? "merged" : "pushed" };
}

/**
 * `git branch -d` judges "merged" against HEAD, which may be any branch; we
 * judged it against the base branch, so delete with -D only while the tip is
 * still that base's ancestor.
 */
async function deleteMergedBranch(
  git: SimpleGit,
  ref: WorktreeRef,
): Promise<void> {
  const tip = await branchTip(git, ref.branch);
  if (tip !== undefined && (await isAncestor(git, tip, ref.baseBranch))) {
    await ask(git, ["branch", "-D", ref.branch]);
  }
}
