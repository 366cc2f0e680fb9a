/**
 * One paginated, live query per status column (`api.board.column`), called in
 * a fixed order so hook order never changes; a hidden column is skipped.
 * While a filter is active every column keeps loading pages ("eager"), so a
 * filtered board shows all matches, not only those in the first page.
 */
import { useCallback, useEffect, useMemo, useRef } from "react";
import { usePaginatedQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import { asId } from "../shared/ids";
import { FIRST_PAGE, NEXT_PAGE } from "./boardModel";

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
): ColumnData {
  const {
    results,
    status: pageStatus,
    loadMore,
  } = usePaginatedQuery(
    api.board.column,
    enabled ? { projectId: asId<"projects">(projectId), status } : "skip",
    { initialNumItems: FIRST_PAGE },
  );
  const latest = useRef(loadMore);
  useEffect(() => {
    latest.current = loadMore;
  }, [loadMore]);
  const canLoadMore = pageStatus === "CanLoadMore";
  useEffect(() => {
    if (eager && canLoadMore) loadMore(NEXT_PAGE);
  }, [eager, canLoadMore, loadMore]);
  const stableLoadMore = useCallback(() => latest.current(NEXT_PAGE), []);
  return useMemo(
    () => ({ status, cards: results, pageStatus, loadMore: stableLoadMore }),
    [status, results, pageStatus, stableLoadMore],
  );
}

export type BoardData = Readonly<Record<TaskStatus, ColumnData>>;

export function useBoardData(
  projectId: string,
  showCancelled: boolean,
  eager: boolean,
): BoardData {
  const backlog = useColumn(projectId, "backlog", true, eager);
  const todo = useColumn(projectId, "todo", true, eager);
  const inProgress = useColumn(projectId, "in_progress", true, eager);
  const inReview = useColumn(projectId, "in_review", true, eager);
  const blocked = useColumn(projectId, "blocked", true, eager);
  const done = useColumn(projectId, "done", true, eager);
  const cancelled = useColumn(projectId, "cancelled", showCancelled, eager);
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
