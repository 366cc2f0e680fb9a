/**
 * What every VS Code end-to-end test file starts from: the .vsix packaged by vsce
 * (scripts/package-vsix.mjs on the build `npm run test:e2e` just made), installed
 * into a fresh code-server profile opened on a small workspace, in the dark theme,
 * driven by Debian's Chromium; and, when a test fails, a screenshot plus the
 * server's and extension host's last log lines.
 *
 * Needs `bash scripts/install-e2e-vscode.sh` once; `vscodeSkipReason` says why not.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import { onTestFailed } from "vitest";
import {
  CODE_SERVER_INSTALL_HINT,
  codeServerBin,
  startCodeServer,
  type CodeServer,
} from "../../support/codeServer";
import {
  chromiumPath,
  launchChromium,
  openWorkbench,
  type Workbench,
} from "../../support/workbench";

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
export const DARK_THEME = "Default Dark Modern";
// As the colour theme picker labels it (its settings value is "Default Light Modern").
export const LIGHT_THEME = "Light Modern";

/** Why the VS Code tests cannot run here, or undefined when they can. */
export const vscodeSkipReason: string | undefined = !codeServerBin()
  ? CODE_SERVER_INSTALL_HINT
  : !chromiumPath()
    ? "Chromium is not installed: run `bash scripts/install-e2e-vscode.sh`"
    : undefined;
if (vscodeSkipReason) console.warn(`[e2e/vscode] skipped: ${vscodeSkipReason}`);

export type VscodeSession = {
  server: CodeServer;
  workbench: Workbench;
  /** Where the extension keeps the local backend it starts (its global storage). */
  backendDataDir: string;
  /** Call first in a test: on failure, log a screenshot and the last log lines. */
  explainFailures(name: string): void;
  close(): Promise<void>;
};

export type VscodeSessionOptions = {
  /** Runs on the written workspace folder before code-server opens it (e.g. `git init`). */
  prepareWorkspace?: (dir: string) => Promise<void>;
};

/** `label` names the temp folder, so parallel files do not share one. */
export async function openVscodeSession(
  label: string,
  options: VscodeSessionOptions = {},
): Promise<VscodeSession> {
  const tempDir = await mkdtemp(join(tmpdir(), `switchboard-e2e-${label}-`));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    await rm(tempDir, { recursive: true, force: true });
  };
  try {
    const vsix = join(tempDir, "switchboard.vsix");
    await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, "scripts", "package-vsix.mjs"), "--out", vsix],
      { cwd: REPO_ROOT, timeout: 90_000 },
    );
    const workspace = join(tempDir, "workspace");
    await writeWorkspace(workspace);
    await options.prepareWorkspace?.(workspace);
    server = await startCodeServer({
      vsix,
      workspace,
      settings: { "workbench.colorTheme": DARK_THEME },
    });
    browser = await launchChromium();
    const workbench = await openWorkbench(browser, server.workspaceUrl);
    const started = server;
    return {
      server: started,
      workbench,
      backendDataDir: join(
        started.dirs.userData,
        "User",
        "globalStorage",
        "switchboard.switchboard",
        "backend",
      ),
      explainFailures: (name) => explainFailures(name, started, workbench),
      close: async () => {
        await workbench.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function explainFailures(
  name: string,
  server: CodeServer,
  workbench: Workbench,
): void {
  onTestFailed(async () => {
    const shot = await workbench
      .screenshot(`failed-${name}`)
      .catch(() => undefined);
    const hostLog = await server.extensionHostLog().catch(() => "");
    console.error(
      [
        `[e2e/vscode] ${name} failed; screenshot: ${shot ?? "none"}`,
        `--- code-server output\n${server.logTail()}`,
        `--- extension host\n${hostLog}`,
        `--- page errors\n${workbench.pageErrors.join("\n")}`,
      ].join("\n"),
    );
  });
}

/** A small folder so the Explorer in the screenshots shows a real workspace. */
async function writeWorkspace(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "README.md"),
    "# Demo workspace\n\nOpened by the e2e tests.\n",
  );
}
