/**
 * The git side of a sandbox: one worktree per task, on its own branch, next to
 * the person's own checkout. Every check runs before anything is written, so a
 * refused request leaves the repository exactly as it was; removal never
 * throws away work that exists nowhere else. No vscode import.
 */
import { mkdir, readdir, realpath, rmdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { SandboxStageError, firstLine } from "./stageError";

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
function gitAt(dir: string): SimpleGit {
  return simpleGit({
    baseDir: dir,
    errors: (error, result) => {
      if (error !== undefined) return error;
      if (result.exitCode === 0) return undefined;
      return Buffer.concat([...result.stdErr, ...result.stdOut]);
    },
  });
}

/** stdout, or undefined when git exits non-zero (a "no" answer, not a failure). */
async function ask(
  git: SimpleGit,
  args: string[],
): Promise<string | undefined> {
  try {
    return await git.raw(args);
  } catch {
    return undefined;
  }
}

/** Git's "fatal:"/"error:" line (its progress lines come first), else its first line. */
function gitProblem(output: string): string {
  const line = /^(?:fatal|error): (.*)$/m.exec(output);
  return line?.[1] ?? firstLine(output);
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Git records worktree paths as given; compare them after resolving symlinks. */
async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

type WorktreeEntry = { path: string; branch?: string; present: boolean };

async function listWorktrees(git: SimpleGit): Promise<WorktreeEntry[]> {
  const out = await git.raw(["worktree", "list", "--porcelain"]);
  const entries: WorktreeEntry[] = [];
  for (const block of out.split(/\n\n+/)) {
    const lines = block.split("\n");
    const path = lines.find((l) => l.startsWith("worktree "))?.slice(9);
    if (path === undefined) continue;
    const ref = lines.find((l) => l.startsWith("branch "))?.slice(7);
    entries.push({
      path: await canonical(path),
      branch: ref?.replace(/^refs\/heads\//, ""),
      present: await isDirectory(path),
    });
  }
  return entries;
}

async function findWorktree(
  git: SimpleGit,
  worktreePath: string,
): Promise<WorktreeEntry | undefined> {
  const wanted = await canonical(worktreePath);
  return (await listWorktrees(git)).find((entry) => entry.path === wanted);
}

/** The commit a local branch points at, if the branch exists. */
async function branchTip(
  git: SimpleGit,
  branch: string,
): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  return (await ask(git, ["rev-parse", "--verify", "--quiet", ref]))?.trim();
}

async function branchExists(git: SimpleGit, branch: string): Promise<boolean> {
  return (await branchTip(git, branch)) !== undefined;
}

async function isAncestor(
  git: SimpleGit,
  commit: string,
  branch: string,
): Promise<boolean> {
  const args = ["merge-base", "--is-ancestor", commit, `refs/heads/${branch}`];
  return (await ask(git, args)) !== undefined;
}

async function headOf(dir: string): Promise<string> {
  return (await gitAt(dir).raw(["rev-parse", "HEAD"])).trim();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tracked changes (staged or not) of a checkout, from `status --porcelain -z`. */
async function trackedChanges(git: SimpleGit): Promise<string[]> {
  const out = await git.raw([
    "status",
    "--porcelain",
    "-z",
    "--untracked-files=no",
  ]);
  const entries = out.split("\0");
  const files: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? "";
    if (entry.length < 4) continue;
    files.push(entry.slice(3));
    // Renames and copies carry their source path as the next entry.
    if (/^[RC]/.test(entry)) i++;
  }
  return files;
}

async function openRepository(
  repository: string,
): Promise<{ git: SimpleGit; top: string }> {
  const notRepo = new SandboxStageError(
    `${repository} is not a git repository. Open the repository's folder (or run \`git init\` and commit) and retry.`,
  );
  if (!(await isDirectory(repository))) throw notRepo;
  const git = gitAt(repository);
  const top = await ask(git, ["rev-parse", "--show-toplevel"]);
  if (top === undefined || top.trim() === "") throw notRepo;
  const anyCommit = await ask(git, ["rev-list", "-n", "1", "--all"]);
  if (anyCommit === undefined || anyCommit.trim() === "") {
    throw new SandboxStageError(
      `${repository} has no commits yet. Make a first commit on the base branch and retry.`,
    );
  }
  return { git, top: top.trim() };
}

async function commonDir(git: SimpleGit, top: string): Promise<string> {
  const out = (await git.raw(["rev-parse", "--git-common-dir"])).trim();
  return canonical(resolve(top, out));
}

/**
 * Creates (or finds again) the task's worktree. Uncommitted changes on the base
 * branch matter only when the branch is created from it now: they would silently
 * be left out. Untracked files are ignored there (editor droppings, build output),
 * because they are not part of the base branch either way.
 */
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
