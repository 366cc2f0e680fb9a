/**
 * The handshake and host-wide messages every view uses.
 *
 * Order: the webview script loads, subscribes, then sends `webview/ready`; the host
 * answers with `host/init`. The host sends nothing before `ready`, because a message
 * posted to a webview whose script has not started yet is lost. A webview that is
 * reloaded (hidden and shown again without `retainContextWhenHidden`) sends `ready`
 * again and gets a fresh `init`.
 */
import {
  isBoolean,
  isRecord,
  isNonEmptyString,
  isNullable,
  isObject,
  isOneOf,
  isString,
  type Guarded,
} from "./guards";
import { defineNotification, defineRequest } from "./messages";
import type { FunctionReturnType } from "convex/server";
import type { api } from "../../convex/_generated/api";

/** Which view a webview is, so one host-side helper can serve them all. */
export const VIEW_KINDS = [
  "board",
  "task",
  "thread",
  "approvals",
  "run",
  "budgets",
] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

/** Mirrors `vscode.ColorThemeKind` without importing vscode into the webview. */
export const THEME_KINDS = [
  "light",
  "dark",
  "highContrast",
  "highContrastLight",
] as const;
export type ThemeKind = (typeof THEME_KINDS)[number];

const isReadyParams = isObject({ view: isOneOf(VIEW_KINDS) });
export type ReadyParams = Guarded<typeof isReadyParams>;

/** webview -> host: "my script runs and my listeners are in place". */
export const webviewReady = defineNotification("webview/ready", isReadyParams);

/** Who is looking and at which project; null while the host is not signed in. */
export interface ViewContext {
  readonly orgId: string;
  readonly projectId: string;
  /** Shown before task numbers, e.g. "SB" in "SB-12". */
  readonly projectKey: string;
  readonly userId: string;
}

/** What a single-item view shows: the task, thread, approval or workflow run it was opened for. */
export interface ViewTarget {
  readonly taskId?: string;
  readonly threadId?: string;
  readonly approvalId?: string;
  readonly runId?: string;
}

const isOptionalId = (value: unknown): value is string | undefined =>
  value === undefined || isNonEmptyString(value);

export const isViewTarget = (value: unknown): value is ViewTarget =>
  isRecord(value) &&
  isOptionalId(value.taskId) &&
  isOptionalId(value.threadId) &&
  isOptionalId(value.approvalId) &&
  isOptionalId(value.runId);

const isViewContext = isObject({
  orgId: isNonEmptyString,
  projectId: isNonEmptyString,
  projectKey: isString,
  userId: isNonEmptyString,
});

const isInitParams = isObject({
  backendUrl: isNonEmptyString,
  signedIn: isBoolean,
  theme: isOneOf(THEME_KINDS),
  context: isNullable(isViewContext),
  target: isViewTarget,
});

/**
 * host -> webview, in answer to `webview/ready`: what the view needs to connect
 * to Convex itself (`backendUrl`, also the only origin its CSP allows).
 *
 * Deliberately no token here. The webview is a token *consumer*: it gives convex/react
 * an auth callback that asks `host/auth/token` whenever Convex needs a JWT (first
 * connect, expiry, forced refresh) and keeps the answer in memory only. A token must
 * never be put into `vscode.setState()`, `localStorage` or the URL: webview state is
 * written to disk by VS Code and outlives the session, while the host keeps the
 * real credential in SecretStorage.
 */
export interface InitParams {
  readonly backendUrl: string;
  /** False when the host has no credential yet; the view shows a sign-in hint. */
  readonly signedIn: boolean;
  readonly theme: ThemeKind;
  readonly context: ViewContext | null;
  readonly target: ViewTarget;
  /** Board only: its first pages, when the host had them in time (see BoardPreload). */
  readonly preload?: BoardPreload;
}

/**
 * The board's first page of each default column and the people directory, as
 * the host read them over its own live connection while the page was loading
 * (extension/webviews/boardPreload.ts). The board renders them at init instead
 * of waiting for its own socket, then its live queries take over. Task data,
 * no credentials.
 */
export interface BoardPreload {
  readonly projectId: string;
  readonly columns: Readonly<
    Record<string, FunctionReturnType<typeof api.board.column>>
  >;
  readonly people: FunctionReturnType<typeof api.board.people>;
}

/** Checked before use: `init` itself tolerates (and ignores) a malformed one. */
export const isBoardPreload = isObject({
  projectId: isNonEmptyString,
  columns: isRecord,
  people: (value: unknown): value is unknown[] => Array.isArray(value),
});

export const hostInit = defineNotification<InitParams>(
  "host/init",
  isInitParams,
);

/** Asked when convex/react needs a JWT; `forceRefresh` after the server rejected one. */
export interface AuthTokenParams {
  readonly forceRefresh: boolean;
}
/** `token: null` means signed out: Convex then runs unauthenticated and the view says so. */
export interface AuthTokenResult {
  readonly token: string | null;
}
export const hostAuthToken = defineRequest<AuthTokenParams, AuthTokenResult>(
  "host/auth/token",
  {
    params: isObject({ forceRefresh: isBoolean }),
    result: isObject({ token: isNullable(isString) }),
  },
);

/** host -> webview. Colours follow by themselves (`--vscode-*` variables); this is for
 * the few things CSS cannot see, such as choosing an icon set. */
export const hostThemeChanged = defineNotification<{ theme: ThemeKind }>(
  "host/theme/changed",
  isObject({ theme: isOneOf(THEME_KINDS) }),
);

/**
 * host -> webview: show another item in an open single-item view (the Task detail
 * panel is reused when another task is opened), or the connection changed
 * (backend switched, signed in): the view reconnects with the new init.
 */
export const hostTargetChanged = defineNotification<{ target: ViewTarget }>(
  "host/target/changed",
  isObject({ target: isViewTarget }),
);

/** webview -> host: open another view, e.g. a card's Task detail or a task's thread. */
export interface OpenViewParams {
  readonly view: ViewKind;
  readonly target: ViewTarget;
}
export const webviewOpenView = defineNotification<OpenViewParams>(
  "webview/view/open",
  isObject({ view: isOneOf(VIEW_KINDS), target: isViewTarget }),
);

/**
 * webview -> host: open a sandbox for a task. Only the host can: it asks for
 * the base branch and agent, then requests it (the runner does git and Docker).
 */
export interface OpenSandboxParams {
  readonly taskId: string;
}
export const webviewOpenSandbox = defineNotification<OpenSandboxParams>(
  "webview/sandbox/open",
  isObject({ taskId: isNonEmptyString }),
);

/** webview -> host: work in a ready sandbox (a Dev Containers window or a terminal in it). */
export interface AttachSandboxParams {
  readonly sandboxId: string;
}
export const webviewAttachSandbox = defineNotification<AttachSandboxParams>(
  "webview/sandbox/attach",
  isObject({ sandboxId: isNonEmptyString }),
);
