/**
 * Throwaway git repositories for the sandbox tests: `git` in a directory,
 * and a repository with one commit on main.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: "pipe" });
}

/** A new repository at `path`: branch main, one commit holding README.md. */
export function makeRepository(path: string, readme = "# app\n"): string {
  mkdirSync(path, { recursive: true });
  git(path, "init", "--quiet", "--initial-branch=main");
  git(path, "config", "user.name", "Dev");
  git(path, "config", "user.email", "dev@example.com");
  writeFileSync(join(path, "README.md"), readme);
  git(path, "add", ".");
  git(path, "commit", "--quiet", "-m", "init");
  return path;
}
