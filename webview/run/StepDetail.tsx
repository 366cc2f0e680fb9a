/**
 * The selected step in full: what the box clips (gate, error), its output,
 * its timing, and links to the task or approval it became.
 */
import type { Doc } from "../../convex/_generated/dataModel";
import { usageText } from "../../convex/model/budgetLevels";
import { LinkButton } from "../components/Links";
import { TaskLink } from "../shared/TaskLink";
import { formatDateTime, formatRelative } from "../shared/format";
import { useViewEnv } from "../shared/viewEnv";
import type { DagStep } from "./DagNode";
import {
  attemptText,
  formatElapsed,
  formatOutput,
  STEP_LOOKS,
  waitText,
} from "./runModel";

export function StepDetail({
  step,
  row,
  now,
  onClose,
}: {
  readonly step: DagStep;
  readonly row: Doc<"workflowSteps"> | undefined;
  readonly now: number;
  readonly onClose: () => void;
}) {
  const { openView } = useViewEnv();
  const look = STEP_LOOKS[row?.state ?? "pending"];
  const output = formatOutput(row?.output);
  const wait = row === undefined ? undefined : waitText(row, now);
  const usage = usageText(row?.usedTokens, row?.usedCostUsd);
  return (
    <section
      className="sb-section run__step"
      aria-labelledby="run-step-title"
      data-testid="step-detail"
    >
      <div className="sb-row">
        <h2 id="run-step-title">Step {step.id}</h2>
        <LinkButton onClick={onClose} title="Hide the step's details">
          Close
        </LinkButton>
      </div>
      <dl className="run__facts">
        <dt>State</dt>
        <dd>
          {look.label} · {attemptText(row?.attempt ?? 0, step.maxRetries)}
        </dd>
        <dt>Runs on</dt>
        <dd>
          {step.executor}
          {step.agent === undefined ? "" : ` · ${step.agent}`}
        </dd>
        <dt>Needs</dt>
        <dd>{step.needs.length === 0 ? "nothing" : step.needs.join(", ")}</dd>
        {step.condition === undefined ? null : (
          <>
            <dt>If</dt>
            <dd className="sb-mono">{step.condition}</dd>
          </>
        )}
        {wait === undefined ? null : (
          <>
            <dt>Waits for</dt>
            <dd>{wait}</dd>
          </>
        )}
        {row?.startedAt === undefined ? null : (
          <>
            <dt>Started</dt>
            <dd title={formatDateTime(row.startedAt)}>
              {formatRelative(row.startedAt, now)}, took{" "}
              {formatElapsed((row.endedAt ?? now) - row.startedAt)}
              {row.endedAt === undefined ? " so far" : ""}
            </dd>
          </>
        )}
        {row?.deadlineAt === undefined || row.endedAt !== undefined ? null : (
          <>
            <dt>Deadline</dt>
            <dd>{formatRelative(row.deadlineAt, now)}</dd>
          </>
        )}
        {usage === "" ? null : (
          <>
            <dt>Spent</dt>
            <dd>{usage}</dd>
          </>
        )}
        {row?.taskId === undefined ? null : (
          <>
            <dt>Task</dt>
            <dd>
              <TaskLink taskId={row.taskId} />
            </dd>
          </>
        )}
        {row?.approvalId === undefined ? null : (
          <>
            <dt>Approval</dt>
            <dd>
              <LinkButton
                onClick={() =>
                  openView("approvals", { approvalId: row.approvalId })
                }
              >
                Open in the approvals inbox
              </LinkButton>
            </dd>
          </>
        )}
      </dl>
      {row?.error === undefined ? null : (
        <pre className="run__error" data-testid="step-error">
          {row.error}
        </pre>
      )}
      {output === undefined ? null : (
        <>
          <h3>Output</h3>
          <pre className="run__output">{output}</pre>
        </>
      )}
    </section>
  );
}
