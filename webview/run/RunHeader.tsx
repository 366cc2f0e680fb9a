/**
 * The run at a glance: name and version, status, when it started, how long
 * it took, what it spent, the steps by state, and Cancel while it runs.
 * Cancelling asks for a second click: webviews have no confirm() dialog.
 */
import { useState } from "react";
import type { WorkflowRunStatus } from "../../convex/tables/workflows";
import { PlainButton } from "../components/PlainButton";
import { Tag } from "../components/Tag";
import { formatDateTime, formatRelative } from "../shared/format";
import { spendText } from "../../convex/model/budgetLevels";
import { canCancel, runDuration, RUN_LOOKS } from "./runModel";

export interface RunSummary {
  readonly name: string;
  readonly version: number;
  readonly status: WorkflowRunStatus;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly usedTokens?: number;
  readonly usedCostUsd?: number;
}

export interface RunHeaderProps {
  readonly run: RunSummary;
  /** "3 succeeded · 1 running" (runModel.stateSummary). */
  readonly steps: string;
  readonly now: number;
  readonly cancelling: boolean;
  readonly onCancel: () => void;
}

export function RunHeader({
  run,
  steps,
  now,
  cancelling,
  onCancel,
}: RunHeaderProps) {
  const [confirming, setConfirming] = useState(false);
  const look = RUN_LOOKS[run.status];
  return (
    <header className="run__header" data-testid="run-header">
      <div className="sb-row">
        <Tag tone={look.tone}>
          <span aria-hidden="true">{look.glyph} </span>
          {look.label}
        </Tag>
        <h1 data-testid="run-title">
          {run.name} <span className="sb-muted">v{run.version}</span>
        </h1>
      </div>
      <dl className="run__facts">
        <dt>Started</dt>
        <dd title={formatDateTime(run.startedAt)}>
          {formatRelative(run.startedAt, now)}
        </dd>
        <dt>{run.endedAt === undefined ? "Running for" : "Took"}</dt>
        <dd data-testid="run-duration">{runDuration(run, now)}</dd>
        <dt>Tokens</dt>
        <dd data-testid="run-tokens">
          {(run.usedTokens ?? 0).toLocaleString("en-US")}
        </dd>
        <dt>Cost</dt>
        <dd data-testid="run-cost">{spendText(run.usedCostUsd ?? 0)}</dd>
        <dt>Steps</dt>
        <dd>{steps}</dd>
      </dl>
      {!canCancel(run.status) ? null : confirming ? (
        <div className="sb-row" role="group" aria-label="Confirm cancel">
          <span>
            Cancel this run? Its tasks and pending approvals are cancelled.
          </span>
          <PlainButton
            onClick={() => {
              setConfirming(false);
              onCancel();
            }}
            testId="run-cancel-confirm"
          >
            Cancel run
          </PlainButton>
          <PlainButton
            appearance="secondary"
            onClick={() => setConfirming(false)}
          >
            Keep running
          </PlainButton>
        </div>
      ) : (
        <div className="sb-row">
          <PlainButton
            appearance="secondary"
            disabled={cancelling}
            onClick={() => setConfirming(true)}
            testId="run-cancel"
          >
            {cancelling ? "Cancelling…" : "Cancel run"}
          </PlainButton>
        </div>
      )}
    </header>
  );
}
