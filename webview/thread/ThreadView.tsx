/** One thread: header, live messages (older pages on demand) and the composer. */
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { Button } from "../components/Button";
import { Loading } from "../components/ProgressRing";
import { asId } from "../shared/ids";
import { usePeople } from "../shared/people";
import { TaskLink } from "../shared/TaskLink";
import { useViewEnv } from "../shared/viewEnv";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { SessionBar } from "./SessionBar";

export function ThreadView({
  threadId,
  onBack,
}: {
  readonly threadId: string;
  readonly onBack?: () => void;
}) {
  const { context } = useViewEnv();
  const id = asId<"threads">(threadId);
  const thread = useQuery(api.threads.get, { threadId: id });
  const people = usePeople(context.projectId);
  if (thread === undefined) return <Loading label="Loading thread…" />;
  return (
    <div
      className="thread"
      data-testid="thread-view"
      data-thread-id={thread._id}
    >
      <header className="thread__header">
        {onBack === undefined ? null : (
          <Button appearance="icon" label="Back to threads" onClick={onBack}>
            ←
          </Button>
        )}
        <h1 className="thread__title">{thread.title}</h1>
        {thread.taskId === undefined ? null : (
          <TaskLink taskId={thread.taskId} />
        )}
      </header>
      <SessionBar threadId={id} people={people} />
      <MessageList threadId={id} people={people} me={context.userId} />
      <Composer threadId={id} />
    </div>
  );
}
