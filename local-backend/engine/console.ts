/**
 * Functions run in this process, so their console.* calls would mix with the
 * backend's own logs. Inside an execution, each call becomes a log line for
 * the client (as Convex sends them) and a prefixed line on stderr.
 */
import { format } from "node:util";
import { currentExecution } from "./syscalls";

const LEVELS = {
  log: "LOG",
  info: "INFO",
  warn: "WARN",
  error: "ERROR",
  debug: "DEBUG",
} as const;
let installed = false;

export function installConsoleCapture(): void {
  if (installed) return;
  installed = true;
  for (const [method, level] of Object.entries(LEVELS) as [
    keyof typeof LEVELS,
    string,
  ][]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const execution = currentExecution();
      if (execution === undefined) {
        original(...args);
        return;
      }
      const line = `[${level}] ${format(...args)}`;
      execution.logLines.push(line);
      process.stderr.write(`[${execution.udfPath}] ${line}\n`);
    };
  }
}
