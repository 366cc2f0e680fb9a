/**
 * The extension as a person gets it: packaged into a .vsix by vsce (scripts/package-vsix.mjs
 * on the build `npm run test:e2e` just made), installed into a real VS Code (code-server)
 * and driven through a real browser (Debian's Chromium). Proves the e2e machinery end to
 * end, so feature tests only add their own steps. Screenshots land in test-artifacts/vscode/.
 *
 * Needs `bash scripts/install-e2e-vscode.sh` once; skipped (with that hint) without it.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Browser } from "playwright-core";
import {
  afterAll,
  beforeAll,
  describe,
  expect,
  onTestFailed,
  test,
} from "vitest";
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

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const manifest = JSON.parse(
  readFileSync(join(REPO_ROOT, "package.json"), "utf8"),
) as { publisher: string; name: string; version: string };
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const STATUS_COMMAND = "Switchboard: Show Connection Status";
// What extension/connection/describe.ts says, whatever the connection is doing.
const STATUS_MESSAGE =
  /^Switchboard: (starting|connected|reconnecting|not connected|signed out)\./;
const DARK_THEME = "Default Dark Modern";
// As the colour theme picker labels it (its settings value is "Default Light Modern").
const LIGHT_THEME = "Light Modern";

const skipReason = !codeServerBin()
  ? CODE_SERVER_INSTALL_HINT
  : !chromiumPath()
    ? "Chromium is not installed: run `bash scripts/install-e2e-vscode.sh`"
    : undefined;
if (skipReason) console.warn(`[e2e/vscode] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)(
  "Switchboard in VS Code (code-server + Chromium)",
  () => {
    let tempDir: string;
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    let workbench: Workbench | undefined;

    beforeAll(async () => {
      tempDir = await mkdtemp(join(tmpdir(), "switchboard-e2e-vscode-"));
      const vsix = join(tempDir, `${manifest.name}.vsix`);
      await promisify(execFile)(
        process.execPath,
        [join(REPO_ROOT, "scripts", "package-vsix.mjs"), "--out", vsix],
        { cwd: REPO_ROOT, timeout: 90_000 },
      );
      const workspace = join(tempDir, "workspace");
      await writeWorkspace(workspace);
      server = await startCodeServer({
        vsix,
        workspace,
        settings: { "workbench.colorTheme": DARK_THEME },
      });
      browser = await launchChromium();
      workbench = await openWorkbench(browser, server.workspaceUrl);
    }, 170_000);

    afterAll(async () => {
      await workbench?.close();
      await browser?.close();
      await server?.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    });

    /** On failure: a screenshot and the server's and extension host's last log lines. */
    function explainFailures(name: string): void {
      onTestFailed(async () => {
        const shot = await workbench
          ?.screenshot(`failed-${name}`)
          .catch(() => undefined);
        const hostLog = await server?.extensionHostLog().catch(() => "");
        console.error(
          [
            `[e2e/vscode] ${name} failed; screenshot: ${shot ?? "none"}`,
            `--- code-server output\n${server?.logTail() ?? ""}`,
            `--- extension host\n${hostLog ?? ""}`,
            `--- page errors\n${workbench?.pageErrors.join("\n") ?? ""}`,
          ].join("\n"),
        );
      });
    }

    test("the .vsix installs only what runs", async () => {
      explainFailures("vsix");
      const installed = await readdir(server!.dirs.extensions);
      const folder = installed.find((name) =>
        name.startsWith(`${EXTENSION_ID}-`),
      );
      expect(folder, `installed: ${installed.join(", ")}`).toBe(
        `${EXTENSION_ID}-${manifest.version}`,
      );
      const root = join(server!.dirs.extensions, folder!);
      expect(existsSync(join(root, "dist", "extension.js"))).toBe(true);
      expect(existsSync(join(root, "package.json"))).toBe(true);
      // The e2e build has sourcemaps; the package must not.
      const dist = await readdir(join(root, "dist"), { recursive: true });
      expect(dist.filter((file) => file.endsWith(".map"))).toEqual([]);
      // Sources, tests, dependencies and local caches stay out (.vscodeignore).
      for (const absent of [
        "extension",
        "test",
        "node_modules",
        ".cache",
        "tsconfig.json",
      ]) {
        expect(
          existsSync(join(root, absent)),
          `${absent} must not be packaged`,
        ).toBe(false);
      }
    });

    test("Show Connection Status shows its notification, in the dark and light themes", async () => {
      explainFailures("status");
      const wb = workbench!;
      await wb.waitForTheme("dark");
      await wb.runCommand(STATUS_COMMAND);
      await wb.waitForNotification(STATUS_MESSAGE);
      // The full text, as the DOM has it (the toast cuts long messages off on screen).
      expect(
        (await wb.notifications()).some((text) => STATUS_MESSAGE.test(text)),
      ).toBe(true);
      await wb.screenshot("status-dark");

      await wb.clearNotifications();
      await wb.setColorTheme(LIGHT_THEME);
      await wb.waitForTheme("light");
      await wb.runCommand(STATUS_COMMAND);
      await wb.waitForNotification(STATUS_MESSAGE);
      await wb.screenshot("status-light");
      expect(wb.pageErrors).toEqual([]);
    });

    // The helpers feature tests lean on, proven on VS Code's own views and webviews
    // (Switchboard has none yet): the Markdown preview is a webview like our boards.
    test("view containers open and webview content is reachable", async () => {
      explainFailures("webview");
      const wb = workbench!;
      await wb.clearNotifications();
      await wb.openViewContainer("Search");
      await wb.openViewContainer("Explorer");
      await wb.page
        .locator(".part.sidebar .monaco-list-row", { hasText: "README.md" })
        .click();
      await wb.runCommand("Markdown: Open Preview");
      const preview = await wb.webviewFrame("h1");
      expect(await preview.locator("h1").textContent()).toBe("Demo workspace");
      await wb.screenshot("webview-light");
    });
  },
);

/** A small folder so the Explorer in the screenshots shows a real workspace. */
async function writeWorkspace(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "README.md"),
    "# Demo workspace\n\nOpened by the e2e tests.\n",
  );
}
