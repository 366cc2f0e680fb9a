/**
 * Drives the VS Code workbench served by code-server (test/support/codeServer.ts) in
 * Debian's Chromium through playwright-core. Playwright never downloads a browser here.
 *
 *   const browser = await launchChromium();
 *   const workbench = await openWorkbench(browser, server.workspaceUrl);
 *   await workbench.runCommand("Switchboard: Show Connection Status");
 *   await workbench.waitForNotification(/not connected/);
 *   const board = await workbench.webviewFrame("#board");   // inside nested iframes
 *   await workbench.screenshot("board-dark");                // test-artifacts/vscode/
 *   await workbench.close(); await browser.close();
 *
 * Selectors are VS Code 1.100's DOM (code-server 4.100.x); keep them all in this file.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Frame,
  type Locator,
  type Page,
} from "playwright-core";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** Screenshots and other artifacts a person looks at after a run (git-ignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, "test-artifacts", "vscode");

/** Debian's chromium package; CHROMIUM_PATH overrides. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  return existsSync(path) ? path : undefined;
}

/**
 * No sandbox: CI runs as root, where Chromium's sandbox refuses to start. The rest keep
 * a headless browser on a shared 2-core machine from doing work nobody looks at.
 */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error(
      "Chromium not found: run `bash scripts/install-e2e-vscode.sh`",
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

export type ThemeKind = "light" | "dark";

/** Opens `url` (a CodeServer's workspaceUrl) in a fresh context and waits for the workbench. */
export async function openWorkbench(
  browser: Browser,
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<Workbench> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
  });
  const page = await context.newPage();
  const workbench = new Workbench(context, page);
  try {
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await workbench.waitUntilReady(options.timeoutMs ?? 60_000);
  } catch (error) {
    await context.close();
    throw error;
  }
  return workbench;
}

export class Workbench {
  /** Uncaught errors of the workbench page, for assertions and failure messages. */
  readonly pageErrors: string[] = [];

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on("pageerror", (error) => this.pageErrors.push(error.message));
  }

  /**
   * Ready = the workbench is laid out (activity bar drawn) and the extension host has
   * registered the extensions (VS Code's `code/didLoadExtensions` performance mark), so
   * commands contributed by extensions run.
   */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const started = Date.now();
    await this.page
      .locator(".monaco-workbench .part.activitybar")
      .waitFor({ state: "visible", timeout: timeoutMs });
    await this.page.waitForFunction(
      () => performance.getEntriesByName("code/didLoadExtensions").length > 0,
      undefined,
      {
        timeout: Math.max(1_000, timeoutMs - (Date.now() - started)),
        polling: 250,
      },
    );
  }

  /** Reloads the page (e.g. after CodeServer.updateSettings) and waits until ready. */
  async reload(timeoutMs = 60_000): Promise<void> {
    await this.page.reload({ waitUntil: "domcontentloaded" });
    await this.waitUntilReady(timeoutMs);
  }

  /**
   * Gives the keyboard to the workbench itself: F1 and other keybindings do not reach
   * it while focus is inside a webview's iframe (or nowhere, before any click). Clicking
   * the empty middle of the status bar works in every layout and opens nothing.
   */
  async focus(): Promise<void> {
    const bar = this.page.locator(".part.statusbar");
    const box = await bar.boundingBox();
    await bar.click({ position: { x: (box?.width ?? 800) / 2, y: 10 } });
    // The click leaves a focus ring on the status bar; drop it so screenshots show none.
    await this.page.evaluate(() => {
      const active = document.activeElement;
      if (active instanceof HTMLElement) active.blur();
    });
  }

  /** Runs a command by its palette title, e.g. "Switchboard: Show Connection Status". */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    await this.focus();
    await this.page.keyboard.press("F1");
    await this.pick(`>${title}`, title, timeoutMs);
  }

  /**
   * Switches the colour theme the way a person does (Preferences: Color Theme), which
   * also writes it to the user settings. Editing settings.json behind the workbench's
   * back is not picked up by code-server until a reload (see CodeServer.updateSettings).
   * `theme` is the label the picker shows, e.g. "Light Modern" (whose settings value is
   * "Default Light Modern").
   */
  async setColorTheme(theme: string, timeoutMs = 15_000): Promise<void> {
    await this.runCommand("Preferences: Color Theme", timeoutMs);
    await this.pick(theme, theme, timeoutMs);
  }

  /**
   * In the open quick input: types `query`, then accepts the row labelled exactly
   * `label`. The list filters fuzzily and asynchronously and does not always focus the
   * exact match first, so click that row rather than pressing Enter on whatever is focused.
   */
  private async pick(
    query: string,
    label: string,
    timeoutMs: number,
  ): Promise<void> {
    const widget = this.page.locator(".quick-input-widget");
    const input = widget.locator(".quick-input-box input");
    await input.waitFor({ state: "visible", timeout: timeoutMs });
    await input.fill(query);
    const row = widget.locator(".quick-input-list .monaco-list-row").filter({
      has: this.page.locator(".label-name", {
        hasText: new RegExp(`^${escapeRegExp(label)}$`),
      }),
    });
    try {
      await row.first().waitFor({ state: "visible", timeout: timeoutMs });
    } catch {
      const rows = await widget
        .locator(".quick-input-list .label-name")
        .allTextContents();
      throw new Error(
        `"${label}" is not in the quick pick; it shows: ${JSON.stringify(rows.slice(0, 10))}`,
      );
    }
    await row.first().click();
    // Accepted when the quick input closes or shows something else: a command may open
    // its own quick pick right away (e.g. the colour theme picker).
    await this.page.waitForFunction(
      (typed) => {
        const box = document.querySelector(".quick-input-widget");
        const field = box?.querySelector<HTMLInputElement>(
          ".quick-input-box input",
        );
        if (!box || !field) return true;
        return (
          getComputedStyle(box).display === "none" || field.value !== typed
        );
      },
      query,
      { timeout: timeoutMs, polling: 100 },
    );
  }

  /**
   * Answers the open quick input (an InputBox or a QuickPick a command showed): waits
   * until it asks `prompt` (matched against its title, prompt message and
   * placeholder), types `text` (empty: keep the default / the focused item) and
   * presses Enter.
   */
  async answerQuickInput(
    prompt: string | RegExp,
    text: string,
    timeoutMs = 15_000,
  ): Promise<void> {
    const widget = this.page.locator(".quick-input-widget");
    const input = widget.locator(".quick-input-box input");
    const deadline = Date.now() + timeoutMs;
    const matches = (value: string) =>
      typeof prompt === "string" ? value.includes(prompt) : prompt.test(value);
    let shown = "";
    for (;;) {
      if (await input.isVisible()) {
        const texts = await widget
          .locator(".quick-input-title, .quick-input-message")
          .allTextContents();
        shown = [...texts, (await input.getAttribute("placeholder")) ?? ""]
          .join(" | ")
          .trim();
        if (matches(shown)) break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the quick input does not ask ${String(prompt)}; it shows: ${JSON.stringify(shown)}`,
        );
      }
      await this.page.waitForTimeout(100);
    }
    if (text !== "") await input.fill(text);
    await input.press("Enter");
  }

  /** The text of the status bar entry whose text matches, once it shows. */
  async waitForStatusBar(
    text: string | RegExp,
    timeoutMs = 30_000,
  ): Promise<string> {
    const item = this.page
      .locator(".part.statusbar .statusbar-item")
      .filter({ hasText: text });
    try {
      await item.first().waitFor({ state: "visible", timeout: timeoutMs });
    } catch {
      const shown = await this.page
        .locator(".part.statusbar .statusbar-item")
        .allTextContents();
      throw new Error(
        `no status bar item matching ${String(text)} after ${timeoutMs} ms; shown: ${JSON.stringify(shown)}`,
      );
    }
    return (await item.first().textContent()) ?? "";
  }

  /** Messages of the notification toasts on screen now. */
  async notifications(): Promise<string[]> {
    return this.page
      .locator(".notification-toast .notification-list-item-message")
      .allTextContents();
  }

  /** Waits for a toast whose message matches; returns the toast (buttons are inside). */
  async waitForNotification(
    message: string | RegExp,
    timeoutMs = 15_000,
  ): Promise<Locator> {
    const toast = this.page.locator(".notification-toast").filter({
      has: this.page.locator(".notification-list-item-message", {
        hasText: message,
      }),
    });
    try {
      await toast.first().waitFor({ state: "visible", timeout: timeoutMs });
    } catch {
      const shown = await this.notifications();
      throw new Error(
        `no notification matching ${String(message)} after ${timeoutMs} ms; shown: ${JSON.stringify(shown)}`,
      );
    }
    return toast.first();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand("Notifications: Clear All Notifications");
  }

  /**
   * The frame holding a webview's content. Webviews are an iframe (the host) holding
   * another iframe (the content), so look through every frame of the page.
   */
  async webviewFrame(selector: string, timeoutMs = 15_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        // A frame can detach while we look (webviews reload); that is just "not yet".
        const count = await frame
          .locator(selector)
          .count()
          .catch(() => 0);
        if (count > 0) return frame;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(
      `no webview frame contains ${selector} after ${timeoutMs} ms (${this.page.frames().length} frames)`,
    );
  }

  /** Opens a view container of the activity bar by its title ("Explorer", "Switchboard"). */
  async openViewContainer(title: string, timeoutMs = 15_000): Promise<void> {
    const item = this.page.locator(".part.activitybar .action-item").filter({
      has: this.page.locator(`.action-label[aria-label^="${title}"]`),
    });
    await item.waitFor({ state: "visible", timeout: timeoutMs });
    // Clicking the item of the open container closes the side bar again.
    const open =
      (await item.getAttribute("class"))?.split(" ").includes("checked") ??
      false;
    if (!open || !(await this.page.locator(".part.sidebar").isVisible()))
      await item.click();
    await this.page
      .locator(".part.sidebar .composite.title")
      .filter({ hasText: new RegExp(escapeRegExp(title), "i") })
      .waitFor({ state: "visible", timeout: timeoutMs });
  }

  /** Waits until the workbench shows a theme of this kind (e.g. after a settings change). */
  async waitForTheme(kind: ThemeKind, timeoutMs = 15_000): Promise<void> {
    // The workbench root carries the theme type as a class: vs, vs-dark, hc-black, hc-light.
    const themeClass = kind === "dark" ? "vs-dark" : "vs";
    await this.page.waitForFunction(
      (cls) =>
        document.querySelector(".monaco-workbench")?.classList.contains(cls) ??
        false,
      themeClass,
      { timeout: timeoutMs, polling: 100 },
    );
  }

  /** Saves a PNG of the page to test-artifacts/vscode/<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, `${name}.png`);
    // No animations mid-transition (toasts slide in) in what a person reviews.
    await this.page.screenshot({ path, animations: "disabled" });
    return path;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
