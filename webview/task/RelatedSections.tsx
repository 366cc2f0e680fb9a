/** The tasks this one waits for, and its conversation thread. */
import { useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { Button } from "../components/Button";
import { LinkButton } from "../components/Links";
import { Notice } from "../components/Notice";
import { ProgressRing } from "../components/ProgressRing";
import { Tag } from "../components/Tag";
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { errorText } from "../shared/errors";
import { formatRelative, STATUS_LABELS, taskKey } from "../shared/format";
import { useViewEnv } from "../shared/viewEnv";

export function DependenciesSection({
  dependsOn,
  projectKey,
}: {
  readonly dependsOn: readonly Id<"tasks">[];
  readonly projectKey: string;
}) {
  return (
    <section className="sb-section" aria-labelledby="task-dependencies">
      <h2 id="task-dependencies">Depends on</h2>
      {dependsOn.length === 0 ? (
        <p className="sb-muted">No dependencies.</p>
      ) : (
        <ul className="sb-list" data-testid="task-dependencies">
          {dependsOn.map((id) => (
            <li key={id}>
              <ErrorBoundary what="this dependency" resetKey={id}>
                <Dependency taskId={id} projectKey={projectKey} />
              </ErrorBoundary>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One query per dependency: each row stays live on its own (at most 50). */
function Dependency({
  taskId,
  projectKey,
}: {
  readonly taskId: Id<"tasks">;
  readonly projectKey: string;
}) {
  const { openView } = useViewEnv();
  const task = useQuery(api.tasks.get, { taskId });
  if (task === undefined) return <ProgressRing label="Loading dependency" />;
  return (
    <span className="sb-row">
      <LinkButton
        onClick={() => openView("task", { taskId })}
        title="Open this task"
      >
        {taskKey(projectKey, task.number)}
      </LinkButton>
      <span>{task.title}</span>
      <Tag tone={task.status === "done" ? "success" : "warning"}>
        {STATUS_LABELS[task.status]}
      </Tag>
    </span>
  );
}

export function ThreadSection({ taskId }: { readonly taskId: Id<"tasks"> }) {
  const { openView } = useViewEnv();
  const thread = useQuery(api.threads.forTask, { taskId });
  const ensureThread = useMutation(api.threads.ensureForTask);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const start = (): void => {
    setStarting(true);
    setError(null);
    ensureThread({ taskId })
      .then((threadId) => openView("thread", { threadId, taskId }))
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setStarting(false));
  };

  return (
    <section className="sb-section" aria-labelledby="task-thread">
      <h2 id="task-thread">Thread</h2>
      {thread === undefined ? (
        <ProgressRing label="Loading thread" />
      ) : thread === null ? (
        <div className="sb-row">
          <span className="sb-muted">No conversation about this task yet.</span>
          <Button
            appearance="secondary"
            onClick={start}
            disabled={starting}
            testId="task-start-thread"
          >
            Start thread
          </Button>
        </div>
      ) : (
        <div className="sb-row">
          <span>{thread.title}</span>
          <span className="sb-muted">
            last message {formatRelative(thread.lastMessageAt, Date.now())}
          </span>
          <Button
            appearance="secondary"
            onClick={() => openView("thread", { threadId: thread._id, taskId })}
            testId="task-open-thread"
          >
            Open thread
          </Button>
        </div>
      )}
      {error === null ? null : (
        <Notice onDismiss={() => setError(null)}>{error}</Notice>
      )}
    </section>
  );
}
