/**
 * The inbox list: a listbox with one tab stop; arrows, Home and End move the
 * selection, which shows the request on the right.
 */
import { useRef, type KeyboardEvent } from "react";
import type { Doc } from "../../convex/_generated/dataModel";
import { Badge } from "../components/Badge";
import { ProgressRing } from "../components/ProgressRing";
import { Tag } from "../components/Tag";
import {
  APPROVAL_STATUS_LABELS,
  clip,
  formatDateTime,
  formatRelative,
} from "../shared/format";
import type { PeopleIndex } from "../shared/people";
import { approvalTone, moveSelection } from "./approvalModel";

type Approval = Doc<"approvals">;

export interface ApprovalListProps {
  readonly pending: readonly Approval[] | undefined;
  readonly pendingHasMore: boolean;
  readonly decided: readonly Approval[];
  readonly decidedLoading: boolean;
  readonly selected: string | null;
  readonly onSelect: (id: string) => void;
  readonly people: PeopleIndex;
  readonly now: number;
}

export function ApprovalList(props: ApprovalListProps) {
  const { pending, decided, selected, onSelect, people, now } = props;
  const listRef = useRef<HTMLDivElement>(null);
  const ids = [...(pending ?? []), ...decided].map((a) => a._id as string);
  const tabStop =
    selected !== null && ids.includes(selected) ? selected : ids[0];

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const next = moveSelection(ids, selected, event.key);
    if (next === null) return;
    event.preventDefault();
    onSelect(next);
    listRef.current
      ?.querySelector<HTMLElement>(`[data-approval-id="${CSS.escape(next)}"]`)
      ?.focus();
  };

  const item = (approval: Approval) => (
    <div
      key={approval._id}
      role="option"
      aria-selected={approval._id === selected}
      tabIndex={approval._id === tabStop ? 0 : -1}
      className="inbox__item"
      data-testid="approval-item"
      data-approval-id={approval._id}
      data-status={approval.status}
      onClick={() => onSelect(approval._id)}
      onFocus={() => onSelect(approval._id)}
    >
      <div className="sb-row">
        <Tag tone={approvalTone(approval.status)}>
          {APPROVAL_STATUS_LABELS[approval.status]}
        </Tag>
        <span className="inbox__kind">{approval.kind}</span>
      </div>
      <div className="inbox__summary">{clip(approval.summary, 140)}</div>
      <div
        className="sb-muted inbox__meta"
        title={formatDateTime(approval.createdAt)}
      >
        {people.name(approval.requesterId)} ·{" "}
        {approval.status === "pending"
          ? `asked ${formatRelative(approval.createdAt, now)}`
          : `decided ${formatRelative(approval.resolvedAt ?? approval.createdAt, now)}`}
      </div>
    </div>
  );

  // Two listboxes (pending, decided) under their headings, one keyboard
  // model across both so arrows flow from the last pending to the decided.
  return (
    <div className="inbox__list" ref={listRef} onKeyDown={onKeyDown}>
      <div className="inbox__heading">
        <h2 id="inbox-pending">Pending</h2>
        {pending === undefined ? null : (
          <Badge label={`${pending.length} pending`}>
            {pending.length}
            {props.pendingHasMore ? "+" : ""}
          </Badge>
        )}
      </div>
      {pending === undefined ? (
        <ProgressRing label="Loading pending approvals" />
      ) : pending.length === 0 ? (
        <p className="sb-muted inbox__none">No pending requests.</p>
      ) : (
        <div role="listbox" aria-labelledby="inbox-pending">
          {pending.map(item)}
        </div>
      )}
      <div className="inbox__heading">
        <h2 id="inbox-decided">Recently decided</h2>
      </div>
      {props.decidedLoading ? (
        <ProgressRing label="Loading decided approvals" />
      ) : decided.length === 0 ? (
        <p className="sb-muted inbox__none">No decisions yet.</p>
      ) : (
        <div role="listbox" aria-labelledby="inbox-decided">
          {decided.map(item)}
        </div>
      )}
    </div>
  );
}
