/**
 * The extension as a person gets it: packaged into a .vsix by vsce (scripts/package-vsix.mjs
 * on the build `npm run test:e2e` just made), installed into a real VS Code (code-server)
 * and driven through a real browser (Debian's Chromium). Proves the e2e machinery end to
 * end, so feature tests only add their own steps. Screenshots land in test-artifacts/vscode/.
 *
 * Needs `bash scripts/install-e2e-vscode.sh` once; skipped (with that hint) without it.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  LIGHT_THEME,
  openVscodeSession,
  REPO_ROOT,
  vscodeSkipReason,
  type VscodeSession,
} from "./vscodeSession";

const manifest = JSON.parse(
  readFileSync(join(REPO_ROOT, "package.json"), "utf8"),
) as { publisher: string; name: string; version: string };
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

const STATUS_COMMAND = "Switchboard: Show Connection Status";
// What extension/connection/describe.ts says, whatever the connection is doing.
const STATUS_MESSAGE =
  /^Switchboard: (starting|connected|reconnecting|not connected|signed out)\./;
describe.skipIf(vscodeSkipReason !== undefined)(
  "Switchboard in VS Code (code-server + Chromium)",
  () => {
    let session: VscodeSession | undefined;

    beforeAll(async () => {
      session = await openVscodeSession("smoke");
    }, 170_000);

    afterAll(async () => {
      await session?.close();
    });

    test("the .vsix installs only what runs", async () => {
      session!.explainFailures("vsix");
      const installed = await readdir(session!.server.dirs.extensions);
      const folder = installed.find((name) =>
        name.startsWith(`${EXTENSION_ID}-`),
      );
      expect(folder, `installed: ${installed.join(", ")}`).toBe(
        `${EXTENSION_ID}-${manifest.version}`,
      );
      const root = join(session!.server.dirs.extensions, folder!);
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
      session!.explainFailures("status");
      const wb = session!.workbench;
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
      session!.explainFailures("webview");
      const wb = session!.workbench;
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
