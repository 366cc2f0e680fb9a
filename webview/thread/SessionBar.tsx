/**
 * The thread's native session, live: who is taking turns and how far along
 * it is, with Stop while it runs; after it ends, why. Nothing when the
 * thread never had one.
 */
import { useMutation, useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { PlainButton } from "../components/PlainButton";
import type { PeopleIndex } from "../shared/people";
import { sessionSummary, type NativeSessionLike } from "./sessionModel";

export function SessionBar({
  threadId,
  people,
}: {
  readonly threadId: Id<"threads">;
  readonly people: PeopleIndex;
}) {
  const session = useQuery(api.nativeSessions.forThread, { threadId });
  const stop = useMutation(api.nativeSessions.stop);
  if (session === undefined || session === null) return null;
  return (
    <SessionSummaryBar
      session={session}
      people={people}
      onStop={() => void stop({ sessionId: session._id })}
    />
  );
}

export function SessionSummaryBar({
  session,
  people,
  onStop,
}: {
  readonly session: NativeSessionLike;
  readonly people: Pick<PeopleIndex, "name">;
  readonly onStop: () => void;
}) {
  const summary = sessionSummary(session, people);
  return (
    <div
      className={`session-bar${summary.running ? " session-bar--running" : ""}`}
      data-testid="native-session"
      data-status={session.status}
    >
      <span className="session-bar__who">Native session: {summary.who}</span>
      <span className="session-bar__progress">{summary.progress}</span>
      {summary.spent === "" ? null : (
        <span className="session-bar__spent">{summary.spent}</span>
      )}
      {summary.running ? (
        <PlainButton
          appearance="secondary"
          label="Stop native session"
          onClick={onStop}
        >
          Stop
        </PlainButton>
      ) : null}
    </div>
  );
}
