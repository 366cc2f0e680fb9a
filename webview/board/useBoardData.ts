/**
 * One live query per status column (`api.board.column`): its first page, then
 * pages as it scrolls. Called in a fixed order so hook order never changes; a
 * hidden column is skipped.
 * While a filter is active every column keeps loading pages ("eager"), so a
 * filtered board shows all matches, not only those in the first page.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { usePaginatedQuery, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import type { BoardPreload } from "../protocol";
import { asId } from "../shared/ids";
import { FIRST_PAGE, NEXT_PAGE } from "./boardModel";
import { firstPageArgs } from "../shared/queryArgs";

export type PageStatus =
  "LoadingFirstPage" | "CanLoadMore" | "LoadingMore" | "Exhausted";

export interface ColumnData {
  readonly status: TaskStatus;
  readonly cards: readonly BoardCard[];
  readonly pageStatus: PageStatus;
  /** Stable across renders; does nothing unless another page exists. */
  readonly loadMore: () => void;
}

function useColumn(
  projectId: string,
  status: TaskStatus,
  enabled: boolean,
  eager: boolean,
  preload: BoardPreload | undefined,
): ColumnData {
  // The first page as a plain query (prewarmed before React mounted, see
  // firstPages.ts); the paginated query only once the column needs more.
  const [expanded, setExpanded] = useState(false);
  const wantsMore = expanded || eager;
  // Until the live first page answers, the host's preload (same arguments) stands in.
  const first =
    useQuery(
      api.board.column,
      enabled ? firstPageArgs(projectId, status) : "skip",
    ) ?? (enabled ? preload?.columns[status] : undefined);
  const paginated = usePaginatedQuery(
    api.board.column,
    enabled && wantsMore
      ? { projectId: asId<"projects">(projectId), status }
      : "skip",
    { initialNumItems: FIRST_PAGE + NEXT_PAGE },
  );
  // While the paginated query loads its first page, the plain one stands in.
  const usePaginated = wantsMore && paginated.status !== "LoadingFirstPage";
  const cards: readonly BoardCard[] = usePaginated
    ? paginated.results
    : (first?.page ?? EMPTY);
  const pageStatus: PageStatus = usePaginated
    ? paginated.status
    : first === undefined
      ? "LoadingFirstPage"
      : first.isDone
        ? "Exhausted"
        : wantsMore
          ? "LoadingMore"
          : "CanLoadMore";

  const latest = useRef(paginated.loadMore);
  useEffect(() => {
    latest.current = paginated.loadMore;
  }, [paginated.loadMore]);
  const canLoadMore = usePaginated && paginated.status === "CanLoadMore";
  useEffect(() => {
    if (eager && canLoadMore) paginated.loadMore(NEXT_PAGE);
  }, [eager, canLoadMore, paginated.loadMore]);
  const stableLoadMore = useCallback(() => {
    setExpanded(true);
    latest.current(NEXT_PAGE);
  }, []);
  return useMemo(
    () => ({ status, cards, pageStatus, loadMore: stableLoadMore }),
    [status, cards, pageStatus, stableLoadMore],
  );
}

const EMPTY: readonly BoardCard[] = [];

export type BoardData = Readonly<Record<TaskStatus, ColumnData>>;

export function useBoardData(
  projectId: string,
  showCancelled: boolean,
  eager: boolean,
  preload?: BoardPreload,
): BoardData {
  const backlog = useColumn(projectId, "backlog", true, eager, preload);
  const todo = useColumn(projectId, "todo", true, eager, preload);
  const inProgress = useColumn(projectId, "in_progress", true, eager, preload);
  const inReview = useColumn(projectId, "in_review", true, eager, preload);
  const blocked = useColumn(projectId, "blocked", true, eager, preload);
  const done = useColumn(projectId, "done", true, eager, preload);
  const cancelled = useColumn(
    projectId,
    "cancelled",
    showCancelled,
    eager,
    preload,
  );
  return useMemo(
    () => ({
      backlog,
      todo,
      in_progress: inProgress,
      in_review: inReview,
      blocked,
      done,
      cancelled,
    }),
    [backlog, todo, inProgress, inReview, blocked, done, cancelled],
  );
}
