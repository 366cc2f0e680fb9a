/**
 * Which thread to show: the target's thread, the task's thread (offering to
 * start one), or, opened without a target, a list of the project's threads.
 */
import { useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { Loading } from "../components/ProgressRing";
import { ErrorBoundary } from "../shared/ErrorBoundary";
import { errorText } from "../shared/errors";
import { asId } from "../shared/ids";
import type { UiState } from "../shared/uiState";
import { useViewEnv } from "../shared/viewEnv";
import { ThreadPicker } from "./ThreadPicker";
import { ThreadView } from "./ThreadView";

export interface ThreadPrefs extends Record<string, unknown> {
  /** The thread picked from the list when the view has no target. */
  readonly pickedThreadId: string | null;
}

export function ThreadApp({ ui }: { readonly ui: UiState<ThreadPrefs> }) {
  const { target } = useViewEnv();
  const [picked, setPicked] = useState(() => ui.get().pickedThreadId);
  const pick = (threadId: string | null): void => {
    setPicked(threadId);
    ui.update({ pickedThreadId: threadId });
  };

  if (target.threadId !== undefined) {
    return <Shown threadId={target.threadId} />;
  }
  if (target.taskId !== undefined) {
    return (
      <ErrorBoundary what="the task's thread" resetKey={target.taskId}>
        <TaskThread taskId={target.taskId} />
      </ErrorBoundary>
    );
  }
  if (picked !== null) {
    return <Shown threadId={picked} onBack={() => pick(null)} />;
  }
  return <ThreadPicker onPick={pick} />;
}

function Shown({
  threadId,
  onBack,
}: {
  readonly threadId: string;
  readonly onBack?: () => void;
}) {
  return (
    <ErrorBoundary
      what="the thread"
      resetKey={threadId}
      extra={
        onBack === undefined ? null : (
          <Button appearance="secondary" onClick={onBack}>
            Back to threads
          </Button>
        )
      }
    >
      <ThreadView key={threadId} threadId={threadId} onBack={onBack} />
    </ErrorBoundary>
  );
}

function TaskThread({ taskId }: { readonly taskId: string }) {
  const thread = useQuery(api.threads.forTask, {
    taskId: asId<"tasks">(taskId),
  });
  const ensure = useMutation(api.threads.ensureForTask);
  const [started, setStarted] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const threadId = thread?._id ?? started;
  if (threadId !== null) return <Shown threadId={threadId} />;
  if (thread === undefined)
    return <Loading label="Loading the task's thread…" />;
  const start = (): void => {
    setBusy(true);
    ensure({ taskId: asId<"tasks">(taskId) })
      .then(setStarted)
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setBusy(false));
  };
  return (
    <div className="sb-empty" data-testid="thread-view-empty">
      <h2>No thread for this task yet</h2>
      <p>Start one to talk about the task with people and agents.</p>
      <Button onClick={start} disabled={busy} testId="thread-start">
        Start thread
      </Button>
      {error === null ? null : (
        <Notice onDismiss={() => setError(null)}>{error}</Notice>
      )}
    </div>
  );
}
