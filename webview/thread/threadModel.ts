/** The Thread view's pure helpers: message layout, event wording, the send shortcut. */

export interface MessageLike {
  readonly _id: string;
  readonly authorId: string;
  readonly kind: "text" | "event" | "tool";
  readonly createdAt: number;
}

export interface MessageRow<M extends MessageLike> {
  readonly message: M;
  /** False for a follow-up from the same author within a few minutes. */
  readonly showHeader: boolean;
}

const GROUP_GAP_MS = 5 * 60_000;

/**
 * Pages arrive newest first; a conversation reads oldest first. Consecutive
 * text from one author is grouped under one name line, like chat apps do;
 * events always stand alone and break a group.
 */
export function layoutMessages<M extends MessageLike>(
  newestFirst: readonly M[],
): MessageRow<M>[] {
  const rows: MessageRow<M>[] = [];
  let previous: M | undefined;
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const message = newestFirst[i];
    if (message === undefined) continue;
    const continues =
      previous !== undefined &&
      message.kind !== "event" &&
      previous.kind !== "event" &&
      previous.authorId === message.authorId &&
      message.createdAt - previous.createdAt < GROUP_GAP_MS;
    rows.push({ message, showHeader: !continues });
    previous = message;
  }
  return rows;
}

export function describeEvent(
  event: string | undefined,
  author: string,
): string {
  switch (event) {
    case "session_start":
      return `${author} started a session`;
    case "session_end":
      return `${author} ended a session`;
    case undefined:
      return `${author}: event`;
    default:
      return `${author}: ${event.replace(/_/g, " ")}`;
  }
}

/** Ctrl+Enter (Cmd+Enter on macOS) sends; plain Enter adds a line. */
export function isSendShortcut(event: {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
}): boolean {
  return event.key === "Enter" && (event.ctrlKey || event.metaKey);
}

/** Whether a scroll container is close enough to the bottom to keep following new messages. */
export function isNearBottom(
  scrollTop: number,
  clientHeight: number,
  scrollHeight: number,
  slack = 48,
): boolean {
  return scrollHeight - (scrollTop + clientHeight) <= slack;
}
