/**
 * The task's sandbox (worktree + dev container), live: its status, where it
 * is, each stage as the runner reports it, and the changes a person may ask
 * for. Opening and attaching need git, Docker and VS Code windows, so those
 * two ask the host; the rest are Convex mutations a runner then carries out.
 */
import { useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { isEnded } from "../../convex/model/sandboxStages";
import type { TaskStatus } from "../../convex/validators";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { ProgressRing } from "../components/ProgressRing";
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { errorText } from "../shared/errors";
import { useViewEnv } from "../shared/viewEnv";
import {
  canAttach,
  canOpenSandbox,
  CHANGE_LABELS,
  endedSummary,
  sandboxChanges,
  sandboxTone,
  SANDBOX_STATUS_LABELS,
  shortContainerId,
  STAGE_STATE_LABELS,
  stageRows,
  type SandboxChange,
} from "./sandboxModel";

interface Props {
  readonly taskId: Id<"tasks">;
  readonly taskStatus: TaskStatus;
}

export function SandboxSection(props: Props) {
  return (
    <section
      className="sb-section"
      aria-labelledby="task-sandbox"
      data-testid="sandbox-section"
    >
      <h2 id="task-sandbox">Sandbox</h2>
      <ErrorBoundary what="the sandbox" resetKey={props.taskId}>
        <SandboxBody {...props} />
      </ErrorBoundary>
    </section>
  );
}

function SandboxBody({ taskId, taskStatus }: Props) {
  const { openSandbox } = useViewEnv();
  const sandbox = useQuery(api.sandboxes.forTask, { taskId });
  if (sandbox === undefined) return <ProgressRing label="Loading sandbox" />;

  const openButton = canOpenSandbox(taskStatus, sandbox?.status ?? null) ? (
    <div className="sb-row">
      <Button onClick={() => openSandbox(taskId)} testId="sandbox-open">
        Open Sandbox
      </Button>
      <span className="sb-muted">
        VS Code asks for the base branch and the agent.
      </span>
    </div>
  ) : null;

  if (sandbox === null) {
    return (
      <>
        <p className="sb-muted">No sandbox for this task.</p>
        {openButton}
      </>
    );
  }
  if (isEnded(sandbox.status)) {
    return (
      <>
        <div className="sb-row">
          <StatusTag sandbox={sandbox} />
          <span>{endedSummary(sandbox.status, sandbox.note)}</span>
        </div>
        <SandboxActions sandbox={sandbox} />
        {openButton}
      </>
    );
  }
  return <LiveSandbox sandbox={sandbox} />;
}

function StatusTag({ sandbox }: { readonly sandbox: Doc<"sandboxes"> }) {
  // The raw status as text: the end-to-end test waits for "ready".
  return (
    <span
      className={`sb-tag sb-tag--${sandboxTone(sandbox.status)}`}
      title={`Sandbox ${SANDBOX_STATUS_LABELS[sandbox.status]}`}
      data-testid="sandbox-status"
      data-status={sandbox.status}
    >
      {sandbox.status}
    </span>
  );
}

function LiveSandbox({ sandbox }: { readonly sandbox: Doc<"sandboxes"> }) {
  return (
    <>
      <div className="sb-row">
        <StatusTag sandbox={sandbox} />
        {sandbox.host === "local" ? null : (
          <span className="sb-muted">on {sandbox.host}</span>
        )}
      </div>
      <dl className="task__fields">
        <dt>Branch</dt>
        <dd>
          <span className="sb-mono">{sandbox.branch}</span>{" "}
          <span className="sb-muted">
            from <span className="sb-mono">{sandbox.baseBranch}</span>
          </span>
        </dd>
        <dt>Worktree</dt>
        <dd className="sb-mono">{sandbox.worktreePath ?? "—"}</dd>
        <dt>Container</dt>
        <dd className="sb-mono" title={sandbox.containerId}>
          {sandbox.containerId === undefined
            ? "—"
            : shortContainerId(sandbox.containerId)}
        </dd>
      </dl>
      <ol className="sandbox__stages" aria-label="Stages">
        {stageRows(sandbox.stages).map((row) => (
          <li
            key={row.stage}
            className={`sandbox__stage sandbox__stage--${row.state}`}
            data-testid={`sandbox-stage-${row.stage}`}
            data-state={row.state}
          >
            <span
              className={
                row.state === "running"
                  ? "sb-spinner sandbox__marker"
                  : "sandbox__marker"
              }
              aria-hidden="true"
            />
            <span>{row.label}</span>
            <span className="sb-visually-hidden">
              {STAGE_STATE_LABELS[row.state]}
            </span>
            {row.duration === null ? null : (
              <span className="sb-muted">{row.duration}</span>
            )}
            {row.error === null ? null : (
              <pre className="sandbox__error">{row.error}</pre>
            )}
          </li>
        ))}
      </ol>
      {sandbox.note === undefined || sandbox.note === "" ? null : (
        <p className="sandbox__note">{sandbox.note}</p>
      )}
      {sandbox.logTail.trim() === "" ? null : (
        <details className="sandbox__log">
          <summary>Log</summary>
          <pre data-testid="sandbox-log">{sandbox.logTail}</pre>
        </details>
      )}
      <SandboxActions sandbox={sandbox} />
    </>
  );
}

function SandboxActions({ sandbox }: { readonly sandbox: Doc<"sandboxes"> }) {
  const { attachSandbox } = useViewEnv();
  const changeSandbox = useMutation(api.sandboxes.change);
  const [busy, setBusy] = useState<SandboxChange | null>(null);
  const [error, setError] = useState<string | null>(null);
  const changes = sandboxChanges(sandbox.status);
  const attach = canAttach(sandbox.status);
  if (changes.length === 0 && !attach && error === null) return null;

  const ask = (change: SandboxChange): void => {
    setBusy(change);
    setError(null);
    changeSandbox({ sandboxId: sandbox._id, change })
      .catch((failure: unknown) =>
        setError(
          `Could not ${CHANGE_LABELS[change].toLowerCase()} the sandbox: ${errorText(failure)}`,
        ),
      )
      .finally(() => setBusy(null));
  };

  return (
    <div className="task__actions">
      <div className="sb-row">
        {attach ? (
          <Button
            onClick={() => attachSandbox(sandbox._id)}
            testId="sandbox-attach"
          >
            Open in container
          </Button>
        ) : null}
        {changes.map((change) => (
          <Button
            key={change}
            appearance="secondary"
            onClick={() => ask(change)}
            disabled={busy !== null}
            testId={`sandbox-${change}`}
          >
            {busy === change
              ? `${CHANGE_LABELS[change]}…`
              : CHANGE_LABELS[change]}
          </Button>
        ))}
      </div>
      {error === null ? null : (
        <Notice testId="sandbox-error" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}
    </div>
  );
}
