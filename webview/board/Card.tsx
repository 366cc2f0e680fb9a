/**
 * One task card. Memoized by content (see sameCard): a live update re-renders
 * only the cards whose fields changed. All handlers come from the board and
 * are stable, and take the card so no per-card closure is created.
 */
import { memo, type DragEvent, type KeyboardEvent } from "react";
import type { BoardCard } from "../../convex/model/boardCards";
import type { SandboxStatus } from "../../convex/validators";
import { Tag } from "../components/Tag";
import { formatDateTime, plural, PRIORITY_LABELS } from "../shared/format";
import {
  canOpenSandbox,
  SANDBOX_STATUS_LABELS,
  sandboxTone,
} from "../task/sandboxModel";
import { sameCard } from "./boardModel";

export const TASK_MIME = "application/x-switchboard-task";

export interface CardHandlers {
  readonly onOpen: (card: BoardCard) => void;
  readonly onOpenSandbox: (card: BoardCard) => void;
  readonly onKeyDown: (
    card: BoardCard,
    event: KeyboardEvent<HTMLElement>,
  ) => void;
  readonly onFocus: (card: BoardCard) => void;
  readonly onDragStart: (card: BoardCard) => void;
  readonly onDragEnd: () => void;
}

export interface CardProps {
  readonly card: BoardCard;
  readonly cardKey: string;
  readonly assignee: string | undefined;
  readonly holder: string | undefined;
  readonly tabbable: boolean;
  readonly pending: boolean;
  /** The status of the task's live sandbox, if it has one. */
  readonly sandbox: SandboxStatus | undefined;
  readonly handlers: CardHandlers;
}

function CardView({
  card,
  cardKey,
  assignee,
  holder,
  tabbable,
  pending,
  sandbox,
  handlers,
}: CardProps) {
  const blocked = card.openBlockers > 0;
  const onDragStart = (event: DragEvent<HTMLDivElement>): void => {
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData(TASK_MIME, card._id);
    event.dataTransfer.setData("text/plain", `${cardKey} ${card.title}`);
    handlers.onDragStart(card);
  };
  const summary = [
    `${cardKey}: ${card.title}`,
    `${PRIORITY_LABELS[card.priority]} priority`,
    assignee === undefined ? "unassigned" : `assigned to ${assignee}`,
    holder === undefined ? null : `claimed by ${holder}`,
    blocked
      ? `blocked by ${plural(card.openBlockers, "open dependency", "open dependencies")}`
      : null,
    card.labels.length > 0 ? `labels ${card.labels.join(", ")}` : null,
    sandbox === undefined ? null : `sandbox ${SANDBOX_STATUS_LABELS[sandbox]}`,
  ]
    .filter((part) => part !== null)
    .join(", ");
  return (
    <div
      className={`card${pending ? " card--pending" : ""}${blocked ? " card--blocked" : ""}`}
      role="button"
      aria-roledescription="task card"
      aria-label={summary}
      aria-describedby="board-hint"
      aria-busy={pending}
      tabIndex={tabbable ? 0 : -1}
      draggable
      data-testid="board-card"
      data-task-id={card._id}
      data-task-key={cardKey}
      data-status={card.status}
      onClick={() => handlers.onOpen(card)}
      onKeyDown={(event) => handlers.onKeyDown(card, event)}
      onFocus={() => handlers.onFocus(card)}
      onDragStart={onDragStart}
      onDragEnd={handlers.onDragEnd}
    >
      <div className="card__top">
        <span className="card__key">{cardKey}</span>
        {/* Only what needs attention stands out; medium and low stay quiet. */}
        {card.priority === "urgent" || card.priority === "high" ? (
          <Tag tone={card.priority === "urgent" ? "error" : "warning"}>
            {PRIORITY_LABELS[card.priority]}
          </Tag>
        ) : (
          <span className="card__priority">
            {PRIORITY_LABELS[card.priority]}
          </span>
        )}
        {sandbox === undefined && canOpenSandbox(card.status, null) ? (
          <button
            type="button"
            className="card__action card__action--sandbox"
            aria-label={`Open a sandbox for ${cardKey}`}
            title="Open sandbox"
            data-testid="card-open-sandbox"
            // Part of the card's roving tab stop: only the tabbable card's is reachable.
            tabIndex={tabbable ? 0 : -1}
            onClick={(event) => {
              event.stopPropagation();
              handlers.onOpenSandbox(card);
            }}
            // Enter and Space press the button; the card must not open the task too.
            onKeyDown={(event) => {
              if (event.key === "Enter" || event.key === " ") {
                event.stopPropagation();
              }
            }}
            // Draggable itself so that a drag starting here is cancelled here
            // instead of dragging the card.
            draggable
            onDragStart={(event) => {
              event.preventDefault();
              event.stopPropagation();
            }}
          />
        ) : null}
      </div>
      <div className="card__title">{card.title}</div>
      {card.labels.length === 0 ? null : (
        <div className="card__labels">
          {card.labels.map((label) => (
            <Tag key={label}>{label}</Tag>
          ))}
        </div>
      )}
      <div className="card__meta">
        <span className="card__assignee" title="Assignee">
          {assignee ?? "Unassigned"}
        </span>
        {sandbox === undefined ? null : (
          <span
            className={`card__sandbox card__sandbox--${sandboxTone(sandbox)}`}
            title={`Sandbox: ${SANDBOX_STATUS_LABELS[sandbox]}`}
            data-testid="card-sandbox"
            data-status={sandbox}
          >
            {SANDBOX_STATUS_LABELS[sandbox]}
          </span>
        )}
        {holder === undefined || card.lease === undefined ? null : (
          <span
            className="card__lease"
            title={`Claimed by ${holder} until ${formatDateTime(card.lease.expiresAt)}`}
          >
            ● Claimed by {holder}
          </span>
        )}
        {blocked ? (
          <span
            className="card__blocked"
            title={`${plural(card.openBlockers, "dependency", "dependencies")} not done yet`}
          >
            Blocked by {card.openBlockers}
          </span>
        ) : null}
      </div>
    </div>
  );
}

export const Card = memo(
  CardView,
  (a, b) =>
    sameCard(a.card, b.card) &&
    a.cardKey === b.cardKey &&
    a.assignee === b.assignee &&
    a.holder === b.holder &&
    a.tabbable === b.tabbable &&
    a.pending === b.pending &&
    a.sandbox === b.sandbox &&
    a.handlers === b.handlers,
);
