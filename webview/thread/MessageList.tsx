/**
 * The live message list, oldest at the top. Follows new messages while the
 * reader is at the bottom, and keeps the view still when older pages load
 * above (by scrolling up, or the button for keyboard users).
 */
import { memo, useLayoutEffect, useMemo, useRef } from "react";
import { usePaginatedQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import { Button } from "../components/Button";
import { Loading, ProgressRing } from "../components/ProgressRing";
import { formatDateTime, formatMessageTime } from "../shared/format";
import type { PeopleIndex } from "../shared/people";
import { useNow } from "../shared/useNow";
import { describeEvent, isNearBottom, layoutMessages } from "./threadModel";

const PAGE = 50;

export function MessageList({
  threadId,
  people,
  me,
}: {
  readonly threadId: Id<"threads">;
  readonly people: PeopleIndex;
  readonly me: string;
}) {
  const { results, status, loadMore } = usePaginatedQuery(
    api.messages.list,
    { threadId },
    { initialNumItems: PAGE },
  );
  const rows = useMemo(() => layoutMessages(results), [results]);
  const now = useNow(60_000);
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const anchor = useRef<{ height: number; top: number; rows: number } | null>(
    null,
  );
  const newest = useRef<string | undefined>(undefined);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const last = rows[rows.length - 1]?.message;
    const mineArrived =
      last !== undefined && last._id !== newest.current && last.authorId === me;
    newest.current = last?._id;
    // Asking for a page re-renders with the same rows first: wait for the new ones.
    if (anchor.current !== null && rows.length > anchor.current.rows) {
      // Older messages went in above: keep what the reader was looking at in place.
      element.scrollTop =
        element.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (following.current || mineArrived) {
      // New messages follow the reader at the bottom, and one's own always shows.
      element.scrollTop = element.scrollHeight;
      following.current = true;
    }
  }, [rows, me]);

  const loadOlder = (): void => {
    const element = scroller.current;
    if (status !== "CanLoadMore" || element === null) return;
    anchor.current = {
      height: element.scrollHeight,
      top: element.scrollTop,
      rows: rows.length,
    };
    loadMore(PAGE);
  };
  const onScroll = (): void => {
    const element = scroller.current;
    if (element === null) return;
    following.current = isNearBottom(
      element.scrollTop,
      element.clientHeight,
      element.scrollHeight,
    );
    if (element.scrollTop < 40) loadOlder();
  };

  if (status === "LoadingFirstPage")
    return <Loading label="Loading messages…" />;
  return (
    <div className="messages" ref={scroller} onScroll={onScroll}>
      {status === "CanLoadMore" ? (
        <div className="messages__older">
          <Button appearance="secondary" onClick={loadOlder}>
            Load older messages
          </Button>
        </div>
      ) : status === "LoadingMore" ? (
        <div className="messages__older">
          <ProgressRing label="Loading older messages" />
        </div>
      ) : rows.length === 0 ? (
        <p className="sb-muted messages__empty">
          No messages yet. Say hello below.
        </p>
      ) : (
        <p className="sb-muted messages__start">
          This is the start of the thread.
        </p>
      )}
      <div
        role="log"
        aria-live="polite"
        aria-label="Messages"
        data-testid="thread-messages"
      >
        {rows.map(({ message, showHeader }) => (
          <Message
            key={message._id}
            message={message}
            showHeader={showHeader}
            author={people.name(message.authorId)}
            mine={message.authorId === me}
            now={now}
          />
        ))}
      </div>
    </div>
  );
}

const Message = memo(function Message({
  message,
  showHeader,
  author,
  mine,
  now,
}: {
  readonly message: Doc<"messages">;
  readonly showHeader: boolean;
  readonly author: string;
  readonly mine: boolean;
  readonly now: number;
}) {
  const time = (
    <time
      dateTime={new Date(message.createdAt).toISOString()}
      title={formatDateTime(message.createdAt)}
    >
      {formatMessageTime(message.createdAt, now)}
    </time>
  );
  const common = {
    "data-testid": "thread-message",
    "data-message-id": message._id,
    "data-kind": message.kind,
  };
  if (message.kind === "event") {
    return (
      <div
        className="msg msg--event"
        {...common}
        title={
          message.sessionId === undefined
            ? undefined
            : `Session ${message.sessionId}`
        }
      >
        <span>{describeEvent(message.event, author)}</span>
        {message.body === "" ? null : <span>: {message.body}</span>}
        <span className="sb-muted"> · {time}</span>
      </div>
    );
  }
  if (message.kind === "tool") {
    return (
      <div className="msg msg--tool" {...common}>
        <details>
          <summary>
            <span className="msg__author">{author}</span> used a tool · {time}
          </summary>
          <pre className="msg__tool">{message.body}</pre>
        </details>
      </div>
    );
  }
  return (
    <div
      className={`msg${mine ? " msg--mine" : ""}${showHeader ? "" : " msg--cont"}`}
      {...common}
    >
      {showHeader ? (
        <div className="msg__header">
          <span className="msg__author">{author}</span> {time}
        </div>
      ) : null}
      <div className="msg__body">{message.body}</div>
    </div>
  );
});
