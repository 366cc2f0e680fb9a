/**
 * The board's first pages, read by the host the moment a board panel opens,
 * over the connection it already has, while the webview is still loading its
 * bundle; they go out with `host/init` so the board renders at once instead
 * of after its own socket connects and its queries answer (the board's first
 * render budget). Same arguments as the board's own queries (queryArgs.ts).
 */
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from "convex/server";
import { api } from "../../convex/_generated/api";
import { visibleColumns } from "../../webview/board/boardModel";
import type { BoardPreload } from "../../webview/protocol";
import { firstPageArgs, peopleArgs } from "../../webview/shared/queryArgs";

export type QueryFn = <Q extends FunctionReference<"query">>(
  ref: Q,
  args: FunctionArgs<Q>,
) => Promise<FunctionReturnType<Q>>;

/** How long `ready` waits for a preload still in flight before init goes without it. */
export const PRELOAD_WAIT_MS = 150;

export async function loadBoardPreload(
  query: QueryFn,
  projectId: string,
): Promise<BoardPreload> {
  // The columns a board shows by default; one showing cancelled loads that one itself.
  const statuses = visibleColumns(false);
  const [pages, people] = await Promise.all([
    Promise.all(
      statuses.map((status) =>
        query(api.board.column, firstPageArgs(projectId, status)),
      ),
    ),
    query(api.board.people, peopleArgs(projectId)),
  ]);
  const columns: Record<string, (typeof pages)[number]> = {};
  statuses.forEach((status, index) => {
    const page = pages[index];
    if (page !== undefined) columns[status] = page;
  });
  return { projectId, columns, people };
}

/** The preload if it arrives within `waitMs`, else undefined (init must not wait long). */
export async function preloadInTime(
  preload: Promise<BoardPreload | undefined>,
  waitMs = PRELOAD_WAIT_MS,
): Promise<BoardPreload | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), waitMs);
  });
  try {
    return await Promise.race([preload, late]);
  } finally {
    clearTimeout(timer);
  }
}
