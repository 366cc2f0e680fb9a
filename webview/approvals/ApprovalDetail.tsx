/**
 * One approval request: what is asked, by whom, for which task, under which
 * policy, and, while pending, the Approve / Reject controls with a reason.
 */
import { useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Button } from "../components/Button";
import { TextSection } from "../components/TextSection";
import { Notice } from "../components/Notice";
import { Loading } from "../components/ProgressRing";
import { Tag } from "../components/Tag";
import { TextField } from "../components/TextField";
import { errorText } from "../shared/errors";
import {
  APPROVAL_STATUS_LABELS,
  formatDateTime,
  formatRelative,
} from "../shared/format";
import { asId } from "../shared/ids";
import type { PeopleIndex } from "../shared/people";
import { TaskLink } from "../shared/TaskLink";
import { useViewEnv } from "../shared/viewEnv";
import {
  approvalTone,
  canDecide,
  describeApprovers,
  describeDeadline,
} from "./approvalModel";

export function ApprovalDetail({
  approvalId,
  people,
  now,
}: {
  readonly approvalId: string;
  readonly people: PeopleIndex;
  readonly now: number;
}) {
  const { context } = useViewEnv();
  const approval = useQuery(api.approvals.get, {
    approvalId: asId<"approvals">(approvalId),
  });
  const orgs = useQuery(api.orgs.listMine, {});
  const resolve = useMutation(api.approvals.resolve);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (approval === undefined) return <Loading label="Loading approval…" />;
  const role =
    orgs === undefined
      ? undefined
      : (orgs.find((org) => org.orgId === context.orgId)?.role ?? null);
  const check = canDecide(approval, { userId: context.userId, role }, now);

  const decide = (decision: "approve" | "reject"): void => {
    setBusy(true);
    setError(null);
    const trimmed = reason.trim();
    resolve({
      approvalId: approval._id,
      decision,
      ...(trimmed === "" ? {} : { reason: trimmed }),
    })
      .then(() => setReason(""))
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <article
      className="approval"
      data-testid="approval-detail"
      data-approval-id={approval._id}
    >
      <header className="approval__header">
        <div className="sb-row">
          <Tag tone={approvalTone(approval.status)}>
            {APPROVAL_STATUS_LABELS[approval.status]}
          </Tag>
          <span className="sb-mono">{approval.kind}</span>
        </div>
        <h1 data-testid="approval-summary">{approval.summary}</h1>
      </header>
      <dl className="approval__fields">
        <dt>Requested by</dt>
        <dd title={formatDateTime(approval.createdAt)}>
          {people.name(approval.requesterId)},{" "}
          {formatRelative(approval.createdAt, now)}
        </dd>
        {approval.taskId === undefined ? null : (
          <>
            <dt>Task</dt>
            <dd>
              <TaskLink taskId={approval.taskId} />
            </dd>
          </>
        )}
        <dt>Who may decide</dt>
        <dd>{describeApprovers(approval.policy)}</dd>
        {approval.status === "pending" ? (
          <>
            <dt>Deadline</dt>
            <dd>{describeDeadline(approval.policy, now)}</dd>
          </>
        ) : (
          <>
            <dt>Decision</dt>
            <dd data-testid="approval-decision">
              {APPROVAL_STATUS_LABELS[approval.status]}
              {approval.resolverId === undefined
                ? ""
                : ` by ${people.name(approval.resolverId)}`}
              {approval.resolvedAt === undefined
                ? ""
                : `, ${formatRelative(approval.resolvedAt, now)}`}
              {approval.ruleId === undefined ? "" : " (by an approval rule)"}
              {approval.reason === undefined ? "" : `: ${approval.reason}`}
            </dd>
          </>
        )}
      </dl>
      <TextSection
        id="approval-details"
        title="Details"
        text={approval.details}
        empty="No details."
        className="approval__details"
        testId="approval-details"
      />
      {approval.status !== "pending" ? null : (
        <section
          className="sb-section approval__decide"
          aria-labelledby="approval-decide"
        >
          <h2 id="approval-decide">Decide</h2>
          <TextField
            label="Reason (required to reject)"
            value={reason}
            onChange={setReason}
            placeholder="Why approve or reject?"
            testId="approval-reason"
            maxLength={500}
            disabled={busy}
            className="approval__reason"
          />
          <div className="sb-row">
            <Button
              onClick={() => decide("approve")}
              disabled={busy || !check.ok}
              testId="approval-approve"
            >
              Approve
            </Button>
            <Button
              appearance="secondary"
              onClick={() => decide("reject")}
              disabled={busy || !check.ok}
              testId="approval-reject"
            >
              Reject
            </Button>
          </div>
          {check.ok ? null : (
            <Notice tone="info" testId="approval-cannot-decide">
              {check.reason}
            </Notice>
          )}
        </section>
      )}
      {error === null ? null : (
        <Notice testId="approval-error" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}
    </article>
  );
}
