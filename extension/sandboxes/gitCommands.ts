/**
 * The git plumbing sandboxes share: a simple-git handle that fails on every
 * non-zero exit, the repository's worktrees and branches, ancestry, and the
 * uncommitted changes check. No vscode import.
 */
import { realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { SandboxStageError, firstLine } from "./stageError";

export function gitAt(dir: string): SimpleGit {
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
export async function ask(
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
export function gitProblem(output: string): string {
  const line = /^(?:fatal|error): (.*)$/m.exec(output);
  return line?.[1] ?? firstLine(output);
}

export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Git records worktree paths as given; compare them after resolving symlinks. */
export async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

export type WorktreeEntry = { path: string; branch?: string; present: boolean };

export async function listWorktrees(git: SimpleGit): Promise<WorktreeEntry[]> {
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

export async function findWorktree(
  git: SimpleGit,
  worktreePath: string,
): Promise<WorktreeEntry | undefined> {
  const wanted = await canonical(worktreePath);
  return (await listWorktrees(git)).find((entry) => entry.path === wanted);
}

/** The commit a local branch points at, if the branch exists. */
export async function branchTip(
  git: SimpleGit,
  branch: string,
): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  return (await ask(git, ["rev-parse", "--verify", "--quiet", ref]))?.trim();
}

export async function branchExists(
  git: SimpleGit,
  branch: string,
): Promise<boolean> {
  return (await branchTip(git, branch)) !== undefined;
}

export async function isAncestor(
  git: SimpleGit,
  commit: string,
  branch: string,
): Promise<boolean> {
  const args = ["merge-base", "--is-ancestor", commit, `refs/heads/${branch}`];
  return (await ask(git, args)) !== undefined;
}

export async function headOf(dir: string): Promise<string> {
  return (await gitAt(dir).raw(["rev-parse", "HEAD"])).trim();
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tracked changes (staged or not) of a checkout, from `status --porcelain -z`. */
export async function trackedChanges(git: SimpleGit): Promise<string[]> {
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

export async function openRepository(
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

export async function commonDir(git: SimpleGit, top: string): Promise<string> {
  const out = (await git.raw(["rev-parse", "--git-common-dir"])).trim();
  return canonical(resolve(top, out));
}

/**
 * Creates (or finds again) the task's worktree. Uncommitted changes on the base
 * branch matter only when the branch is created from it now: they would silently
 * be left out. Untracked files are ignored there (editor droppings, build output),
 * because they are not part of the base branch either way.
 */
