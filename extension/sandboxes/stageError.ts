/**
 * The one failure type of the sandbox primitives. Each stage (worktree, dev
 * container config, Docker, dev container CLI) throws it with a message a
 * person can act on, plus the end of the tool's own output so the log (and the
 * task's sandbox record) can show what git, Docker or the CLI actually said.
 * No vscode import.
 */
export class SandboxStageError extends Error {
  override name = "SandboxStageError";

  constructor(
    message: string,
    /** The last lines of the tool's output; "" when there was none worth keeping. */
    readonly logTail: string = "",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The last `maxChars` characters of `text`, starting at a line start so the
 * first line shown is never a fragment (unless one line alone is longer).
 */
export function tailText(text: string, maxChars = 4000): string {
  const trimmed = text.replace(/\s+$/, "");
  if (trimmed.length <= maxChars) return trimmed;
  const cut = trimmed.slice(trimmed.length - maxChars);
  const newline = cut.indexOf("\n");
  // One huge final line: keep its end rather than nothing.
  return newline === -1 || newline === cut.length - 1
    ? cut
    : cut.slice(newline + 1);
}

/** The first non-empty line of a tool's error output, for one-line messages. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== "") ?? ""
  );
}

/** Terminal colour codes the dev container CLI and Docker put in their logs. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}
