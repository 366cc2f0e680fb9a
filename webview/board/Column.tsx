/**
 * One status column: a virtualized list (only the cards in view, plus a few,
 * are in the DOM) that loads the next page as the end scrolls near, and a
 * drop target for cards dragged from other columns.
 */
import {
  memo,
  useEffect,
  useLayoutEffect,
  useRef,
  type DragEvent,
} from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import { Badge } from "../components/Badge";
import { ProgressRing } from "../components/ProgressRing";
import { STATUS_LABELS, taskKey } from "../shared/format";
import type { PeopleIndex } from "../shared/people";
import { CARD_HEIGHT } from "./boardModel";
import { observeRectWithoutReading, scrollUnlessThere } from "./observeRect";
import { Card, TASK_MIME, type CardHandlers } from "./Card";
import type { PageStatus } from "./useBoardData";
import type { SandboxIndex } from "./useLiveSandboxes";

/** "legal"/"illegal" while a card from another column is dragged. */
export type DropState = "idle" | "source" | "legal" | "illegal";

/** Asks a column to bring a card into view and focus it; `seq` makes repeats distinct. */
export interface FocusRequest {
  readonly taskId: string;
  readonly seq: number;
}

export interface ColumnProps {
  readonly status: TaskStatus;
  readonly cards: readonly BoardCard[];
  /** Cards loaded before filtering, for the count. */
  readonly loadedCount: number;
  readonly pageStatus: PageStatus;
  readonly filtered: boolean;
  readonly projectKey: string;
  readonly people: PeopleIndex;
  readonly tabStopId: string | null;
  readonly pendingIds: ReadonlySet<string>;
  /** taskId -> status of the project's live sandboxes. */
  readonly sandboxes: SandboxIndex;
  readonly dropState: DropState;
  readonly focusRequest: FocusRequest | null;
  readonly handlers: CardHandlers;
  readonly onLoadMore: () => void;
  readonly onDrop: (status: TaskStatus, taskId: string | null) => void;
  readonly onFirstPage: (status: TaskStatus) => void;
}

/** Start loading the next page this many cards before the end. */
const LOAD_AHEAD = 15;

function ColumnView(props: ColumnProps) {
  const { status, cards, pageStatus, tabStopId, focusRequest } = props;
  const listRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: cards.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => CARD_HEIGHT,
    getItemKey: (index) => cards[index]?._id ?? index,
    overscan: 2,
    gap: 6,
    paddingStart: 4,
    paddingEnd: 4,
    // Render the first screenful in the very first pass, before measuring.
    initialRect: { width: 280, height: window.innerHeight },
    observeElementRect: observeRectWithoutReading,
    scrollToFn: scrollUnlessThere,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (
      pageStatus === "CanLoadMore" &&
      lastIndex >= cards.length - LOAD_AHEAD
    ) {
      props.onLoadMore();
    }
  }, [pageStatus, lastIndex, cards.length, props.onLoadMore]);

  const firstPageShown = pageStatus !== "LoadingFirstPage";
  useLayoutEffect(() => {
    if (firstPageShown) props.onFirstPage(status);
  }, [firstPageShown, status, props.onFirstPage]);

  useEffect(() => {
    if (focusRequest === null) return;
    const index = cards.findIndex((card) => card._id === focusRequest.taskId);
    if (index === -1) return;
    virtualizer.scrollToIndex(index, { align: "auto" });
    // The card may need a frame or two to be rendered after scrolling.
    let frames = 0;
    let handle = 0;
    const focus = (): void => {
      const element = listRef.current?.querySelector<HTMLElement>(
        `[data-task-id="${CSS.escape(focusRequest.taskId)}"]`,
      );
      if (element !== null && element !== undefined) element.focus();
      else if (++frames < 10) handle = requestAnimationFrame(focus);
    };
    handle = requestAnimationFrame(focus);
    return () => cancelAnimationFrame(handle);
    // Keyed on the request only: later data updates must not steal focus.
  }, [focusRequest]);

  // Roving tab stop: if the board's tab-stop card is scrolled out of the DOM,
  // the first rendered card here takes it so Tab still reaches the column.
  const stopRendered =
    tabStopId !== null &&
    items.some((item) => cards[item.index]?._id === tabStopId);
  const fallbackStop =
    tabStopId !== null && !stopRendered
      ? cards[items[0]?.index ?? -1]?._id
      : undefined;

  const onDragOver = (event: DragEvent<HTMLElement>): void => {
    if (
      props.dropState === "idle" &&
      !event.dataTransfer.types.includes(TASK_MIME)
    ) {
      return;
    }
    // Accept the drop even where the move is illegal, so the board can say why.
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  };
  const onDrop = (event: DragEvent<HTMLElement>): void => {
    event.preventDefault();
    const taskId = event.dataTransfer.getData(TASK_MIME);
    props.onDrop(status, taskId === "" ? null : taskId);
  };

  const headingId = `column-${status}-heading`;
  const more = pageStatus === "CanLoadMore" || pageStatus === "LoadingMore";
  const count = props.filtered
    ? `${cards.length} of ${props.loadedCount}${more ? "+" : ""}`
    : `${props.loadedCount}${more ? "+" : ""}`;

  return (
    <section
      className={`column column--${props.dropState}`}
      aria-labelledby={headingId}
      data-testid={`board-column-${status}`}
      data-status={status}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <header className="column__header">
        <h2 id={headingId} className="column__title">
          {STATUS_LABELS[status]}
        </h2>
        <Badge label={`${count} tasks`}>{count}</Badge>
        {pageStatus === "LoadingMore" ? (
          <ProgressRing label="Loading more tasks" />
        ) : null}
      </header>
      <div className="column__list" ref={listRef} role="list">
        {pageStatus === "LoadingFirstPage" ? (
          <ProgressRing label={`Loading ${STATUS_LABELS[status]}`} />
        ) : cards.length === 0 ? (
          <p className="column__empty">
            {props.filtered ? "No matching tasks" : "No tasks"}
          </p>
        ) : (
          <div
            className="column__spacer"
            style={{ height: virtualizer.getTotalSize() }}
          >
            {items.map((item) => {
              const card = cards[item.index];
              if (card === undefined) return null;
              return (
                <div
                  key={item.key}
                  role="listitem"
                  className="column__row"
                  data-index={item.index}
                  style={{
                    height: CARD_HEIGHT,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  <Card
                    card={card}
                    cardKey={taskKey(props.projectKey, card.number)}
                    assignee={
                      card.assigneeId === undefined
                        ? undefined
                        : props.people.name(card.assigneeId)
                    }
                    holder={
                      card.lease === undefined
                        ? undefined
                        : props.people.name(card.lease.holderId)
                    }
                    tabbable={
                      card._id === tabStopId || card._id === fallbackStop
                    }
                    pending={props.pendingIds.has(card._id)}
                    sandbox={props.sandboxes.get(card._id)}
                    handlers={props.handlers}
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}

export const Column = memo(ColumnView);
