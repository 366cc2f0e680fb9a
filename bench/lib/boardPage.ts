/**
 * The board in Chromium (see boardServer.ts for the page): time to first render per
 * page load, and how long a remote edit takes to show on a card.
 *
 * Page-side code is passed to Playwright as strings, not functions: tsx compiles this
 * file with esbuild's keepNames, whose `__name(...)` wrappers would be serialized into
 * the page, where they do not exist. And waiting is a loop of `page.evaluate` (CDP's
 * Runtime.evaluate, which the page's CSP does not govern), not `waitForFunction`,
 * which evals its predicate inside the page and so is refused by the webview's
 * CSP (no 'unsafe-eval'), as it would be in VS Code.
 */
import { writeFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { OwnerSession } from "./boardData";
import { sleep } from "./stats";

/** Evaluates `expression` every `intervalMs` until it is true; false at the deadline. */
async function pollUntil(
  page: Page,
  expression: string,
  timeoutMs: number,
  intervalMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await page.evaluate<boolean>(expression)) return true;
    await sleep(intervalMs);
  }
  return false;
}

/** The mark the board sets once its columns have rendered with data. */
const FIRST_RENDER = "switchboard:board:first-render";
/** A VS Code editor area on a laptop-sized window. */
const VIEWPORT = { width: 1400, height: 900 };
const LOAD_TIMEOUT_MS = 30_000;

/**
 * Before any page script: when the first card enters the DOM, and when the frame
 * that first showed it was presented. The second is Element Timing: the
 * `elementtiming` attribute, set on the card's title as it is inserted (before
 * any paint), makes Chromium report that text's paint with the frame's
 * presentation time. The DOM time is not the user's: style, layout, paint and
 * raster follow it, ~200 ms on this machine's software rasterizer.
 */
const FIRST_CARD_WATCH = `(() => {
  window.__sbFirstCard = null;
  window.__sbFirstCardPainted = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.identifier === "sb-first-card" && window.__sbFirstCardPainted === null)
        window.__sbFirstCardPainted = entry.renderTime;
  }).observe({ type: "element", buffered: true });
  const observer = new MutationObserver(() => {
    const title = document.querySelector("[data-task-id] .card__title");
    if (title === null) return;
    title.setAttribute("elementtiming", "sb-first-card");
    window.__sbFirstCard = performance.now();
    observer.disconnect();
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** Page times are ms since navigation start (performance.now()). */
export type FirstRender = {
  /** The first card on screen: the frame showing it presented (Element Timing). */
  paintedMs: number;
  /** The board's own first-render mark (React committed the columns with data). */
  markMs: number;
  /** The mark minus when host/init was posted: Convex connect + queries + React. */
  afterInitMs: number;
  /** When host/init was posted: page load, bundle parse and the ready handshake. */
  initSentMs: number;
  /** When the board posted webview/ready (its bundle loaded and ran). */
  readyMs: number;
  /** When the host's preload reached the page (NaN: no preload). */
  preloadMs: number;
  /** When the first card was in the DOM (cross-check of the mark). */
  firstCardMs: number;
  /** Cards in the DOM once loaded (the board virtualizes long columns). */
  cards: number;
};

export type LoadedBoard = {
  page: Page;
  result: FirstRender;
  close(): Promise<void>;
};

type PageReport = {
  painted: number | null;
  mark: number | null;
  initSentAt: number | null;
  readyAt: number | null;
  preloadAt: number | null;
  firstCard: number | null;
  cards: number;
};

const REPORT = `(() => ({
  painted: window.__sbFirstCardPainted ?? null,
  mark: performance.getEntriesByName(${JSON.stringify(FIRST_RENDER)})[0]?.startTime ?? null,
  initSentAt: window.__sbBench?.initSentAt ?? null,
  readyAt: window.__sbBench?.readyAt ?? null,
  preloadAt: window.__sbBench?.preloadAt ?? null,
  firstCard: window.__sbFirstCard ?? null,
  cards: document.querySelectorAll("[data-task-id]").length,
}))()`;

/** Opens the board in a fresh browser context (no cache, no state) and waits for it. */
export async function loadBoard(
  browser: Browser,
  url: string,
  options: {
    cpuProfilePath?: string;
    /** A snapshotBoard page: no scripts, so no mark to wait for, only the paint. */
    staticPage?: boolean;
  } = {},
): Promise<LoadedBoard> {
  const context: BrowserContext = await browser.newContext({
    viewport: VIEWPORT,
  });
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.addInitScript({ content: FIRST_CARD_WATCH });
    // --profile: the page's JavaScript from navigation to the first render.
    const cdp =
      options.cpuProfilePath === undefined
        ? undefined
        : await context.newCDPSession(page);
    if (cdp !== undefined) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    await page.goto(url, { waitUntil: "domcontentloaded" });
    const rendered = `(() => { const r = ${REPORT}; return ${options.staticPage === true ? "" : "r.mark !== null && "}r.painted !== null; })()`;
    if (!(await pollUntil(page, rendered, LOAD_TIMEOUT_MS, 50)))
      throw new Error("no first-render mark and painted card");
    if (cdp !== undefined && options.cpuProfilePath !== undefined) {
      const { profile } = await cdp.send("Profiler.stop");
      await writeFile(options.cpuProfilePath, JSON.stringify(profile));
    }
    const report = await page.evaluate<PageReport>(REPORT);
    const mark = report.mark ?? Number.NaN;
    const initSent = report.initSentAt ?? Number.NaN;
    return {
      page,
      result: {
        paintedMs: report.painted ?? Number.NaN,
        markMs: mark,
        afterInitMs: mark - initSent,
        initSentMs: initSent,
        readyMs: report.readyAt ?? Number.NaN,
        preloadMs: report.preloadAt ?? Number.NaN,
        firstCardMs: report.firstCard ?? Number.NaN,
        cards: report.cards,
      },
      close: () => context.close(),
    };
  } catch (error) {
    const detail = await describePage(context).catch(() => "");
    await context.close();
    throw new Error(
      `The board did not render within ${LOAD_TIMEOUT_MS} ms: ${error instanceof Error ? error.message : String(error)}\npage errors: ${JSON.stringify(errors.slice(0, 10))}\n${detail}`,
    );
  }
}

async function describePage(context: BrowserContext): Promise<string> {
  const page = context.pages()[0];
  if (page === undefined) return "";
  const state = JSON.stringify(await page.evaluate(REPORT));
  const text = (await page.locator("body").innerText()).slice(0, 500);
  return `page state: ${state}\npage text: ${JSON.stringify(text)}`;
}

/**
 * The rendered board as a page of its own: its DOM as it is now, without scripts
 * and without the CSP meta tag (the DOM no longer shows the nonce that admits the
 * theme's <style>). Loading it is the floor under the board's first render: the
 * same markup and stylesheets fetched, parsed, styled, laid out, painted and
 * rastered, with no JavaScript at all.
 */
export async function snapshotBoard(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const root = document.documentElement.cloneNode(true);
    root.querySelectorAll('script, meta[http-equiv="Content-Security-Policy"]').forEach((e) => e.remove());
    root.querySelectorAll("[elementtiming]").forEach((e) => e.removeAttribute("elementtiming"));
    return "<!doctype html>\\n" + root.outerHTML;
  })()`);
}

/**
 * Records Date.now() when the card `__sbWatch.id` first shows `__sbWatch.title` in
 * the DOM, and when the frame showing it was presented: at that moment a
 * one-character marker with an `elementtiming` attribute is added, which paints
 * in the same frame, and Element Timing reports that frame's presentation time
 * (the card's own text was painted before, so it would not be reported again).
 */
const watchState = (id: string | null, title: string | null): string =>
  `{ id: ${JSON.stringify(id)}, title: ${JSON.stringify(title)}, seenAt: null, seenPerf: null, markerId: null, paintedAt: null }`;

const UPDATE_WATCH = `(() => {
  window.__sbWatch = ${watchState(null, null)};
  let markers = 0;
  new PerformanceObserver((list) => {
    const watch = window.__sbWatch;
    for (const entry of list.getEntries())
      if (entry.identifier === watch.markerId && watch.paintedAt === null)
        watch.paintedAt = watch.seenAt + (entry.renderTime - watch.seenPerf);
  }).observe({ type: "element" });
  const check = () => {
    const watch = window.__sbWatch;
    if (watch.id === null || watch.seenAt !== null) return;
    const card = document.querySelector('[data-task-id="' + CSS.escape(watch.id) + '"]');
    if (card === null || !(card.textContent ?? "").includes(watch.title)) return;
    watch.seenAt = Date.now();
    watch.seenPerf = performance.now();
    document.getElementById("sb-paint-marker")?.remove();
    const marker = document.createElement("span");
    marker.id = "sb-paint-marker";
    watch.markerId = "sb-edit-" + ++markers;
    marker.setAttribute("elementtiming", watch.markerId);
    marker.textContent = "·";
    marker.style.cssText = "position: fixed; left: 2px; top: 2px; font-size: 10px;";
    document.body.appendChild(marker);
  };
  new MutationObserver(check).observe(document.body, {
    childList: true,
    subtree: true,
    characterData: true,
  });
})()`;

export type UpdateLatencies = {
  /** The frame showing the new title presented, minus the mutation's commit time (as afterRun). */
  paintedAfterRun: number[];
  /**
   * Page saw the new title minus the task's new `updatedAt`: Date.now() inside the
   * mutation, on the backend (same machine, same clock), just before its commit.
   */
  afterRun: number[];
  /** Page saw the new title minus the bench's mutation promise resolving. */
  afterAck: number[];
  /** Page saw the new title minus the mutation being sent. */
  afterSend: number[];
};

/** Up to `limit` task ids of the todo column's first page that are on screen now. */
async function renderedTodoCards(
  page: Page,
  owner: OwnerSession,
  limit: number,
): Promise<Id<"tasks">[]> {
  const column = await owner.client.query(api.board.column, {
    projectId: owner.projectId,
    status: "todo",
    paginationOpts: { numItems: 50, cursor: null },
  });
  const ids = column.page.map((card) => card._id);
  const rendered = await page.evaluate<Id<"tasks">[]>(
    `${JSON.stringify(ids)}.filter((id) => document.querySelector('[data-task-id="' + CSS.escape(id) + '"]') !== null)`,
  );
  return rendered.slice(0, limit);
}

/**
 * Renames a rendered todo card `warmup + count` times with the bench's own client
 * and times when the page shows it. Both clocks are this machine's Date.now().
 */
export async function measureRemoteUpdates(
  page: Page,
  owner: OwnerSession,
  plan: { warmup: number; count: number },
): Promise<UpdateLatencies> {
  await page.evaluate(UPDATE_WATCH);
  const latencies: UpdateLatencies = {
    paintedAfterRun: [],
    afterRun: [],
    afterAck: [],
    afterSend: [],
  };
  for (let i = 0; i < plan.warmup + plan.count; i++) {
    // A renamed card moves to the top (the column is ordered by updatedAt): pick
    // among the first few on screen, so cards nearer the top get edited too.
    const candidates = await renderedTodoCards(page, owner, 8);
    const taskId = candidates[i % Math.max(1, candidates.length)];
    if (taskId === undefined)
      throw new Error(
        "No card of the todo column's first page is rendered: is the board showing [data-task-id] cards?",
      );
    const title = `Renamed by the benchmark #${i} ${Math.random().toString(36).slice(2, 8)}`;
    await page.evaluate(`window.__sbWatch = ${watchState(taskId, title)}`);
    const sentAt = Date.now();
    const task = await owner.client.mutation(api.tasks.update, {
      taskId,
      title,
    });
    const ackAt = Date.now();
    const seen = await pollUntil(
      page,
      "window.__sbWatch.paintedAt !== null",
      10_000,
      10,
    );
    if (!seen)
      throw new Error(
        `The page did not paint the new title of ${taskId} within 10 s of the mutation.`,
      );
    const { seenAt, paintedAt } = await page.evaluate<{
      seenAt: number;
      paintedAt: number;
    }>("window.__sbWatch");
    if (i >= plan.warmup) {
      latencies.paintedAfterRun.push(paintedAt - task.updatedAt);
      latencies.afterRun.push(seenAt - task.updatedAt);
      latencies.afterAck.push(seenAt - ackAt);
      latencies.afterSend.push(seenAt - sentAt);
    }
    // Let the page go idle (renders, the next query result) before the next edit.
    await sleep(150);
  }
  return latencies;
}
