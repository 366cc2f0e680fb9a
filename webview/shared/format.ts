/** Labels and formatting shared by every view. Pure, so unit-tested. */
import type {
  ApprovalStatus,
  Priority,
  TaskStatus,
} from "../../convex/validators";

export const STATUS_LABELS: Readonly<Record<TaskStatus, string>> = {
  backlog: "Backlog",
  todo: "To do",
  in_progress: "In progress",
  in_review: "In review",
  blocked: "Blocked",
  done: "Done",
  cancelled: "Cancelled",
};

export const PRIORITY_LABELS: Readonly<Record<Priority, string>> = {
  urgent: "Urgent",
  high: "High",
  medium: "Medium",
  low: "Low",
};

export const APPROVAL_STATUS_LABELS: Readonly<Record<ApprovalStatus, string>> =
  {
    pending: "Pending",
    approved: "Approved",
    rejected: "Rejected",
    expired: "Expired",
    cancelled: "Cancelled",
  };

/** "SB-12"; a project without a key still gets a readable "#12". */
export function taskKey(projectKey: string, taskNumber: number): string {
  return projectKey === "" ? `#${taskNumber}` : `${projectKey}-${taskNumber}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "in 2 h", "3 d ago"; a date beyond a month. */
export function formatRelative(at: number, now: number): string {
  const delta = at - now;
  const abs = Math.abs(delta);
  if (abs < 45_000) return "just now";
  const [amount, unit] =
    abs < HOUR
      ? [Math.round(abs / MINUTE), "min"]
      : abs < DAY
        ? [Math.round(abs / HOUR), "h"]
        : abs < 30 * DAY
          ? [Math.round(abs / DAY), "d"]
          : [0, ""];
  if (unit === "") return formatDate(at);
  return delta < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/**
 * One formatter per shape, made on first use: `toLocaleString(locale, options)`
 * builds a new Intl formatter on every call, which a list of cards pays per card.
 */
function lazyFormat(
  options: Intl.DateTimeFormatOptions,
): (at: number) => string {
  let format: Intl.DateTimeFormat | undefined;
  return (at) => {
    format ??= new Intl.DateTimeFormat(undefined, options);
    return format.format(at);
  };
}

export const formatDate = lazyFormat({
  year: "numeric",
  month: "short",
  day: "numeric",
});

export const formatDateTime = lazyFormat({
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export const formatTime = lazyFormat({ hour: "2-digit", minute: "2-digit" });

/** With seconds, for logs whose lines are seconds apart. */
export const formatClock = lazyFormat({
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/**
 * Only http(s) links are rendered as links: a `javascript:` or `command:` URL
 * stored in a task would otherwise run when clicked.
 */
export function safeExternalUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:"
      ? url.href
      : null;
  } catch {
    return null;
  }
}

/** Clips long text for one-line previews, on a code point boundary. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** A status label for a value read from untyped data (audit summaries). */
export function statusLabel(value: string): string {
  return (
    (STATUS_LABELS as Readonly<Record<string, string | undefined>>)[value] ??
    value
  );
}

/** A message time: the clock time today, with the date on other days. */
export function formatMessageTime(at: number, now: number): string {
  return new Date(at).toDateString() === new Date(now).toDateString()
    ? formatTime(at)
    : formatDateTime(at);
}
