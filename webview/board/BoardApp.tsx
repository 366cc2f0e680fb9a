/**
 * The Task Board: filter bar, move errors, and one column per status. Holds
 * the board-wide state (filter, focus, drag, moves in flight); columns and
 * cards are memoized and get only stable callbacks, so a live update to one
 * column re-renders that column and the cards that changed, nothing else.
 */
import {
  startTransition,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from "react";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import { Notice } from "../components/Notice";
import { STATUS_LABELS, taskKey } from "../shared/format";
import { usePeople } from "../shared/people";
import type { UiState } from "../shared/uiState";
import { useViewEnv } from "../shared/viewEnv";
import {
  collectLabels,
  filterCards,
  FirstRenderTracker,
  isFilterActive,
  visibleColumns,
  withPendingMoves,
  type BoardFilter,
  type BoardPrefs,
} from "./boardModel";
import type { CardHandlers } from "./Card";
import { Column, type DropState } from "./Column";
import { FilterBar } from "./FilterBar";
import {
  interpretKey,
  navigate,
  tabStop,
  type GridColumn,
  type Position,
} from "./keyboard";
import {
  allowedFrom,
  decideMove,
  keyboardMoveTarget,
} from "../shared/moveRules";
import { useBoardData } from "./useBoardData";
import { useLiveSandboxes } from "./useLiveSandboxes";
import { useMoves } from "./useMoves";

export const FIRST_RENDER_MARK = "switchboard:board:first-render";
let firstRenderMarked = false;

export function BoardApp({ ui }: { readonly ui: UiState<BoardPrefs> }) {
  const { context, openView, openSandbox, preload } = useViewEnv();
  const { projectId, projectKey } = context;
  const people = usePeople(projectId, preload?.people);
  const [prefs, setPrefs] = useState(() => ui.get());
  const filter = useDeferredValue(prefs.filter);
  const filtering = isFilterActive(filter);
  const columns = useMemo(
    () => visibleColumns(prefs.showCancelled),
    [prefs.showCancelled],
  );
  const data = useBoardData(projectId, prefs.showCancelled, filtering, preload);
  const moves = useMoves(projectKey);
  // Sandbox badges are subscribed once the first pages are on screen.
  const [firstShown, setFirstShown] = useState(false);
  const sandboxes = useLiveSandboxes(projectId, firstShown);
  const [dragging, setDragging] = useState<BoardCard | null>(null);
  const [focused, setFocused] = useState<Position | null>(null);
  const [focusRequest, setFocusRequest] = useState<
    (Position & { seq: number }) | null
  >(null);

  // What each column shows: loaded cards, moves in flight, then the filter.
  const shown = useMemo(() => {
    const result = new Map<TaskStatus, readonly BoardCard[]>();
    for (const status of columns) {
      const cards = withPendingMoves(status, data[status].cards, moves.pending);
      result.set(status, filterCards(cards, filter, projectKey));
    }
    return result;
  }, [columns, data, moves.pending, filter, projectKey]);

  const labels = useMemo(
    () => collectLabels(columns.map((status) => data[status].cards)),
    [columns, data],
  );
  const grid = useMemo<GridColumn[]>(
    () =>
      columns.map((status) => ({
        status,
        ids: (shown.get(status) ?? []).map((c) => c._id),
      })),
    [columns, shown],
  );
  const stop = useMemo(() => tabStop(grid, focused), [grid, focused]);

  // Handlers read the latest state through a ref so they can stay stable.
  const latest = useRef({
    grid,
    shown,
    columns,
    dragging,
    moves,
    projectKey,
    openView,
    openSandbox,
  });
  useEffect(() => {
    latest.current = {
      grid,
      shown,
      columns,
      dragging,
      moves,
      projectKey,
      openView,
      openSandbox,
    };
  });

  const updatePrefs = useCallback(
    (patch: Partial<BoardPrefs>) => setPrefs(ui.update(patch)),
    [ui],
  );
  const onFilter = useCallback(
    (next: BoardFilter) => updatePrefs({ filter: next }),
    [updatePrefs],
  );
  const onToggleCancelled = useCallback(
    () => updatePrefs({ showCancelled: !ui.get().showCancelled }),
    [ui, updatePrefs],
  );

  const focusCard = useCallback((position: Position) => {
    setFocused(position);
    setFocusRequest((previous) => ({
      ...position,
      seq: (previous?.seq ?? 0) + 1,
    }));
  }, []);

  const runMove = useCallback(
    (card: BoardCard, to: TaskStatus, keepFocus: boolean) => {
      const legal = decideMove(card, "", to).kind === "move";
      // The card shows in its new column at once (a pending move): focus follows it,
      // and goes back to where the card returns if the server refuses.
      if (keepFocus && legal) focusCard({ status: to, taskId: card._id });
      void latest.current.moves.move(card, to).then((moved) => {
        if (!moved && keepFocus && legal) {
          focusCard({ status: card.status, taskId: card._id });
        }
      });
    },
    [focusCard],
  );

  const handlers = useMemo<CardHandlers>(
    () => ({
      onOpen: (card) => latest.current.openView("task", { taskId: card._id }),
      onOpenSandbox: (card) => latest.current.openSandbox(card._id),
      onFocus: (card) => setFocused({ status: card.status, taskId: card._id }),
      onDragStart: (card) => setDragging(card),
      onDragEnd: () => setDragging(null),
      onKeyDown: (card, event: KeyboardEvent<HTMLElement>) => {
        const action = interpretKey(event);
        if (action === null) return;
        event.preventDefault();
        const {
          grid: currentGrid,
          columns: visible,
          projectKey: key,
          moves: m,
        } = latest.current;
        if (action.type === "open") {
          latest.current.openView("task", { taskId: card._id });
        } else if (action.type === "focus") {
          const next = navigate(
            currentGrid,
            { status: card.status, taskId: card._id },
            action.key,
          );
          if (next !== null) focusCard(next);
        } else {
          const to = keyboardMoveTarget(visible, card.status, action.direction);
          if (to !== null) runMove(card, to, true);
          else {
            const side = action.direction < 0 ? "left" : "right";
            m.setError(
              `Cannot move ${taskKey(key, card.number)} ${side} from ${STATUS_LABELS[card.status]}: no column that way accepts it. From ${STATUS_LABELS[card.status]} a task may move to ${allowedFrom(card.status)}.`,
            );
          }
        }
      },
    }),
    [focusCard, runMove],
  );

  const onDrop = useCallback(
    (to: TaskStatus, taskId: string | null) => {
      const { dragging: dragged, shown: current } = latest.current;
      setDragging(null);
      let card =
        dragged !== null && (taskId === null || dragged._id === taskId)
          ? dragged
          : null;
      if (card === null && taskId !== null) {
        for (const cards of current.values()) {
          card = cards.find((c) => c._id === taskId) ?? null;
          if (card !== null) break;
        }
      }
      if (card !== null) runMove(card, to, false);
    },
    [runMove],
  );

  // A card scrolled out of the DOM mid-drag never gets its dragend: clear here too.
  useEffect(() => {
    if (dragging === null) return;
    const clear = (): void => setDragging(null);
    window.addEventListener("dragend", clear, true);
    window.addEventListener("pointermove", clear);
    return () => {
      window.removeEventListener("dragend", clear, true);
      window.removeEventListener("pointermove", clear);
    };
  }, [dragging]);

  const tracker = useRef(new FirstRenderTracker());
  const onFirstPage = useCallback((status: TaskStatus) => {
    if (!tracker.current.report(status, latest.current.columns)) return;
    if (!firstRenderMarked) {
      firstRenderMarked = true;
      performance.mark(FIRST_RENDER_MARK);
    }
    // Called from a layout effect: a transition lets the first paint go first.
    startTransition(() => setFirstShown(true));
  }, []);

  const loadingAll =
    filtering &&
    columns.some((status) => {
      const page = data[status].pageStatus;
      return page !== "Exhausted";
    });

  return (
    <div className="board" data-testid="board">
      <FilterBar
        filter={prefs.filter}
        onFilter={onFilter}
        labels={labels}
        people={people}
        showCancelled={prefs.showCancelled}
        onToggleCancelled={onToggleCancelled}
        loadingAll={loadingAll}
      />
      {moves.error === null ? null : (
        <Notice testId="board-error" onDismiss={() => moves.setError(null)}>
          {moves.error}
        </Notice>
      )}
      <div className="board__columns">
        {columns.map((status) => (
          <Column
            key={status}
            status={status}
            cards={shown.get(status) ?? []}
            loadedCount={data[status].cards.length}
            pageStatus={data[status].pageStatus}
            filtered={filtering}
            projectKey={projectKey}
            people={people}
            tabStopId={stop?.status === status ? stop.taskId : null}
            pendingIds={moves.pendingIds}
            sandboxes={sandboxes}
            dropState={dropStateOf(dragging, status)}
            focusRequest={focusRequest?.status === status ? focusRequest : null}
            handlers={handlers}
            onLoadMore={data[status].loadMore}
            onDrop={onDrop}
            onFirstPage={onFirstPage}
          />
        ))}
      </div>
    </div>
  );
}

function dropStateOf(
  dragging: BoardCard | null,
  status: TaskStatus,
): DropState {
  if (dragging === null) return "idle";
  if (dragging.status === status) return "source";
  return decideMove(dragging, "", status).kind === "move" ? "legal" : "illegal";
}
