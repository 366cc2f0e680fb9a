/** The project's threads, most recently active first, to pick one from. */
import { usePaginatedQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Button } from "../components/Button";
import { Loading } from "../components/ProgressRing";
import { formatDateTime, formatRelative } from "../shared/format";
import { asId } from "../shared/ids";
import { useNow } from "../shared/useNow";
import { useViewEnv } from "../shared/viewEnv";

export function ThreadPicker({
  onPick,
}: {
  readonly onPick: (threadId: string) => void;
}) {
  const { context } = useViewEnv();
  const now = useNow();
  const { results, status, loadMore } = usePaginatedQuery(
    api.threads.list,
    { projectId: asId<"projects">(context.projectId) },
    { initialNumItems: 30 },
  );
  return (
    <div className="picker" data-testid="thread-picker">
      <h1>Threads</h1>
      {status === "LoadingFirstPage" ? (
        <Loading label="Loading threads…" />
      ) : results.length === 0 ? (
        <p className="sb-muted">
          No threads yet. Start one from a task&apos;s detail view.
        </p>
      ) : (
        <ul className="sb-list picker__list" aria-label="Threads">
          {results.map((thread) => (
            <li key={thread._id}>
              <button
                type="button"
                className="picker__item"
                data-testid="thread-item"
                data-thread-id={thread._id}
                onClick={() => onPick(thread._id)}
              >
                <span className="picker__title">{thread.title}</span>
                <span
                  className="sb-muted"
                  title={formatDateTime(thread.lastMessageAt)}
                >
                  {thread.taskId === undefined
                    ? "Project thread"
                    : "Task thread"}{" "}
                  · active {formatRelative(thread.lastMessageAt, now)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {status === "CanLoadMore" ? (
        <Button appearance="secondary" onClick={() => loadMore(30)}>
          Show more threads
        </Button>
      ) : null}
    </div>
  );
}
