/** Approvals asked for this task, and its audit history. */
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { LinkButton } from "../components/Links";
import { ProgressRing } from "../components/ProgressRing";
import { Tag } from "../components/Tag";
import {
  APPROVAL_STATUS_LABELS,
  formatDateTime,
  formatRelative,
} from "../shared/format";
import type { PeopleIndex } from "../shared/people";
import { useViewEnv } from "../shared/viewEnv";
import { approvalTone } from "../approvals/approvalModel";
import { actionLabel, describeChanges } from "./taskModel";

interface SectionProps {
  readonly taskId: Id<"tasks">;
  readonly people: PeopleIndex;
  readonly now: number;
}

export function ApprovalsSection({ taskId, people, now }: SectionProps) {
  const { openView } = useViewEnv();
  const approvals = useQuery(api.approvals.listForTask, { taskId, limit: 20 });
  return (
    <section className="sb-section" aria-labelledby="task-approvals">
      <h2 id="task-approvals">Approvals</h2>
      {approvals === undefined ? (
        <ProgressRing label="Loading approvals" />
      ) : approvals.length === 0 ? (
        <p className="sb-muted">No approvals requested.</p>
      ) : (
        <ul className="sb-list" data-testid="task-approvals">
          {approvals.map((approval) => (
            <li key={approval._id} className="sb-row">
              <Tag tone={approvalTone(approval.status)}>
                {APPROVAL_STATUS_LABELS[approval.status]}
              </Tag>
              <LinkButton
                onClick={() =>
                  openView("approvals", { approvalId: approval._id })
                }
                title="Open in the Approvals inbox"
              >
                {approval.summary}
              </LinkButton>
              <span
                className="sb-muted"
                title={formatDateTime(approval.createdAt)}
              >
                by {people.name(approval.requesterId)},{" "}
                {formatRelative(approval.createdAt, now)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function HistorySection({ taskId, people, now }: SectionProps) {
  const events = useQuery(api.audit.listForTask, { taskId, limit: 50 });
  return (
    <section className="sb-section" aria-labelledby="task-history">
      <h2 id="task-history">History</h2>
      {events === undefined ? (
        <ProgressRing label="Loading history" />
      ) : events.length === 0 ? (
        <p className="sb-muted">No history yet.</p>
      ) : (
        <ol className="sb-list task__history" data-testid="task-history">
          {events.map((event) => {
            const changes =
              event.action === "task.create"
                ? []
                : describeChanges(event.before, event.after, people.name);
            return (
              <li key={event._id}>
                <div className="sb-row">
                  <strong>{actionLabel(event.action)}</strong>
                  <span>by {people.name(event.actor)}</span>
                  <span className="sb-muted" title={formatDateTime(event.at)}>
                    {formatRelative(event.at, now)}
                  </span>
                </div>
                {changes.length === 0 ? null : (
                  <ul className="task__changes">
                    {changes.map((change) => (
                      <li key={change.field}>
                        {change.field}: {change.from} → {change.to}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
