/**
 * The board part of bench/extension.ts: a local backend seeded with thousands of
 * tasks, then the board webview in Chromium loaded again and again (first render),
 * then kept open while the benchmark renames cards (remote update latency).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../test/support/workbench";
import { startBackend, type BackendProcess } from "./backendProcess";
import {
  initParams,
  openOwnerSession,
  seedBoard,
  type OwnerSession,
} from "./boardData";
import {
  loadBoard,
  measureRemoteUpdates,
  snapshotBoard,
  type FirstRender,
  type UpdateLatencies,
} from "./boardPage";
import { startBoardServer } from "./boardServer";
import { loadBoardPreload } from "../../extension/webviews/boardPreload";
import { summarizeCpuProfile } from "./cpuProfile";
import { ROOT } from "./processes";
import { ms } from "./stats";

export type Progress = (message: string) => void;

export type SeededBackend = {
  backend: BackendProcess;
  owner: OwnerSession;
  /** "backlog 1000, todo 3900, ..." */
  statuses: string;
  stop(): Promise<void>;
};

export async function seededBackend(
  tasks: number,
  progress: Progress,
): Promise<SeededBackend> {
  progress("starting the local backend");
  const backend = await startBackend({ functionsDir: join(ROOT, "convex") });
  try {
    const owner = await openOwnerSession(backend);
    try {
      progress(`seeding ${tasks} tasks (32 mutations in flight)`);
      const counts = await seedBoard(owner, { tasks, inFlight: 32 }, progress);
      const statuses = Object.entries(counts)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${status} ${n}`)
        .join(", ");
      const stop = async (): Promise<void> => {
        await owner.client.close();
        await backend.stop();
      };
      return { backend, owner, statuses, stop };
    } catch (error) {
      await owner.client.close();
      throw error;
    }
  } catch (error) {
    await backend.stop();
    throw error;
  }
}

/** What Chromium alone costs: a page with one line of a card's text and nothing else. */
const ONE_LINE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="UTF-8" /><title>One line</title></head>' +
  '<body><div data-task-id="one-line"><div class="card__title">A card title</div></div></body></html>';

/** When a page without scripts (its first card) was on screen, ms from navigation start. */
async function staticPaintedMs(browser: Browser, url: string): Promise<number> {
  const loaded = await loadBoard(browser, url, { staticPage: true });
  await loaded.close();
  return loaded.result.paintedMs;
}

export type BoardResult = {
  loads: FirstRender[];
  /** The same board's DOM as a page without scripts (snapshotBoard), loaded in turn: on screen at. */
  staticPaintedMs: number[];
  /** A page of one card title, no stylesheet, no script (Chromium's own page cost): on screen at. */
  blankPaintedMs: number[];
  updates: UpdateLatencies;
};

export async function measureBoard(
  plan: { loads: number; updates: number; profileDir?: string },
  { backend, owner }: SeededBackend,
  webviewDir: string,
  progress: Progress,
): Promise<BoardResult> {
  const server = await startBoardServer({
    webviewDir,
    init: initParams(backend, owner),
    token: owner.token,
    preload: () =>
      loadBoardPreload(
        (ref, args) => owner.client.query(ref, args),
        owner.projectId,
      ),
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    // One untimed load: the first page of a fresh browser pays for its renderer
    // process and caches, which are not the board's cost.
    await (await loadBoard(browser, server.url)).close();
    progress(
      `board page loads (${plan.loads}), each followed by its static snapshot and a one-line page`,
    );
    const loads: FirstRender[] = [];
    const staticPaints: number[] = [];
    const blankPaints: number[] = [];
    let staticUrl: string | undefined;
    const blankUrl = server.serveStatic("one-line", ONE_LINE_PAGE);
    for (let i = 0; i < plan.loads; i++) {
      const loaded = await loadBoard(browser, server.url);
      const { paintedMs, markMs, afterInitMs, readyMs, preloadMs, cards } =
        loaded.result;
      loads.push(loaded.result);
      staticUrl ??= server.serveStatic(
        "snapshot",
        await snapshotBoard(loaded.page),
      );
      await loaded.close();
      // Interleaved, so all three see the same phase of this VM's varying speed.
      const snapshot = await staticPaintedMs(browser, staticUrl);
      staticPaints.push(snapshot);
      const blank = await staticPaintedMs(browser, blankUrl);
      blankPaints.push(blank);
      progress(
        `  load ${i + 1}/${plan.loads}: first card painted ${ms(paintedMs)} ms (mark ${ms(markMs)}, ready ${ms(readyMs)}, preload ${ms(preloadMs)}, ${ms(afterInitMs)} after init), ${cards} cards; static snapshot ${ms(snapshot)} ms; one-line page ${ms(blank)} ms`,
      );
    }
    if (plan.profileDir !== undefined) {
      // One more, untimed load under the CPU profiler (it slows the page down).
      await mkdir(plan.profileDir, { recursive: true });
      const path = join(plan.profileDir, "board-first-render.cpuprofile");
      await (
        await loadBoard(browser, server.url, { cpuProfilePath: path })
      ).close();
      progress(`CPU profile of a board load: ${path}`);
      console.log(summarizeCpuProfile(path));
    }
    progress(`remote title edits (${plan.updates})`);
    const board = await loadBoard(browser, server.url);
    try {
      const updates = await measureRemoteUpdates(board.page, owner, {
        warmup: 3,
        count: plan.updates,
      });
      return {
        loads,
        staticPaintedMs: staticPaints,
        blankPaintedMs: blankPaints,
        updates,
      };
    } finally {
      await board.close();
    }
  } finally {
    await browser?.close();
    await server.close();
  }
}
