/**
 * Extension activation in a real VS Code (code-server) in Chromium: the packaged
 * .vsix installed into a throwaway profile, the Switchboard view container opened
 * (the views are what activate the extension), and the time read from the
 * extension's own log line `Switchboard activated in <N> ms`, which its
 * LogOutputChannel writes under the profile's logs/ folder. Each further run reloads
 * the page, which gives the window a new extension host and so a new activation.
 *
 * VS Code's own figure: its extension host log names the activation
 * (`ExtensionService#_doActivateExtension switchboard.switchboard, ...`) but gives no
 * time in VS Code 1.100, so it is read where VS Code shows it, the "Developer: Show
 * Running Extensions" editor: `Activation: <N>ms`, which is code loading (require of
 * dist/extension.js) + the activate() call, not the promise it returns. Best effort:
 * left out when that editor cannot be read. Its selectors (VS Code 1.100's DOM) sit
 * here rather than in test/support/workbench.ts, which this benchmark does not own.
 */
import { existsSync, rmSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  codeServerBin,
  CODE_SERVER_INSTALL_HINT,
  startCodeServer,
} from "../../test/support/codeServer";
import {
  launchChromium,
  openWorkbench,
  type Workbench,
} from "../../test/support/workbench";
import { atExit } from "./processes";
import { sleep } from "./stats";

const OWN_LINE = /Switchboard activated in (\d+(?:\.\d+)?) ?ms/g;
const WAIT_MS = 60_000;

export type ActivationResult = {
  /** From the extension's log line, one per run. */
  ownMs: number[];
  /** From VS Code's Running Extensions editor, for the runs where it could be read. */
  vscodeMs: number[];
};

/** `Activation: 12ms` (or `Startup Activation: 12ms`) of our row, or undefined. */
async function runningExtensionsMs(
  workbench: Workbench,
): Promise<number | undefined> {
  try {
    await workbench.runCommand("Developer: Show Running Extensions");
    // Rows show the marketplace name or, for a .vsix, the id switchboard.switchboard.
    const time = workbench.page
      .locator(".runtime-extensions-editor .extension")
      .filter({ hasText: /switchboard/i })
      .locator(".activation-time")
      .filter({ hasText: /Activation: \d/ })
      .first();
    const text = await time.textContent({ timeout: 15_000 });
    const match = /Activation: (\d+(?:\.\d+)?)\s*ms/.exec(text ?? "");
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Why activation cannot be measured on this machine, or undefined if it can. */
export function activationUnavailable(): string | undefined {
  return codeServerBin() === undefined ? CODE_SERVER_INSTALL_HINT : undefined;
}

type Match = { key: string; ms: number };

async function logFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".log"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Every match of `pattern` in the logs, keyed by file and position so runs can be told apart. */
async function scan(files: string[], pattern: RegExp): Promise<Match[]> {
  const matches: Match[] = [];
  for (const file of files) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const match of text.matchAll(pattern))
      matches.push({ key: `${file}:${match.index}`, ms: Number(match[1]) });
  }
  return matches;
}

/** Waits for a line not seen before; the error lists the files searched. */
async function nextOwnLine(
  logsDir: string,
  seen: Set<string>,
): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  let files: string[] = [];
  while (Date.now() < deadline) {
    files = await logFiles(logsDir);
    const fresh = (await scan(files, OWN_LINE)).filter((m) => !seen.has(m.key));
    for (const m of fresh) seen.add(m.key);
    const last = fresh[fresh.length - 1];
    if (last !== undefined) return last.ms;
    await sleep(250);
  }
  throw new Error(
    `No "Switchboard activated in <N> ms" line within ${WAIT_MS} ms. Searched ${files.length} log files:\n  ${files.join("\n  ") || `(none under ${logsDir})`}`,
  );
}

export async function measureActivation(options: {
  vsix: string;
  runs: number;
  progress: (message: string) => void;
}): Promise<ActivationResult> {
  const server = await startCodeServer({ vsix: options.vsix });
  // CodeServer kills its process group at exit by itself; its profile dir is ours to
  // remove, unless kept for a look at the logs (SWITCHBOARD_E2E_KEEP=1, as in the tests).
  const keep = process.env.SWITCHBOARD_E2E_KEEP === "1";
  const unregister = keep
    ? () => undefined
    : atExit(() => rmSync(server.dirs.root, { recursive: true, force: true }));
  const browser = await launchChromium().catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  const result: ActivationResult = { ownMs: [], vscodeMs: [] };
  try {
    const logsDir = join(server.dirs.userData, "logs");
    const seen = new Set<string>();
    const workbench = await openWorkbench(browser, server.workspaceUrl);
    try {
      for (let run = 0; run < options.runs; run++) {
        if (run > 0) await workbench.reload();
        await workbench.openViewContainer("Switchboard");
        const own = await nextOwnLine(logsDir, seen);
        const vscode = await runningExtensionsMs(workbench);
        options.progress(
          `  run ${run + 1}/${options.runs}: ${own} ms${vscode === undefined ? "" : ` (VS Code: ${vscode} ms)`}`,
        );
        result.ownMs.push(own);
        if (vscode !== undefined) result.vscodeMs.push(vscode);
      }
    } finally {
      await workbench.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    unregister();
  }
  return result;
}
