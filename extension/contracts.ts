/**
 * The seams between the extension host's parts: the connection (extension/connection/),
 * the panels (extension/webviews/) and the views and commands that use both. Each
 * part depends on these interfaces, not on the others' classes, so each can be built
 * and tested on its own and `activate()` wires them together.
 */
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from "convex/server";
import type * as vscode from "vscode";
import type { ViewKind, ViewTarget } from "../webview/protocol/host";

/**
 * - `starting`: looking for (or starting) the local backend, signing in.
 * - `connected`: the WebSocket is up and the session is known.
 * - `reconnecting`: was connected; the client retries by itself (backend restarting).
 * - `signedOut`: a remote backend is configured but no token is stored.
 * - `failed`: gave up for now; `detail` says why and what to do.
 */
export type ConnectionStatus =
  "starting" | "connected" | "reconnecting" | "signedOut" | "failed";

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** One line for the status bar tooltip and error messages. */
  readonly detail: string;
}

/** Who is signed in and the project the window works on. */
export interface Session {
  /** "local" = the embedded backend in the extension's storage; "remote" = switchboard.backendUrl. */
  readonly backend: "local" | "remote";
  /** Deployment URL (sync WebSocket + HTTP API). */
  readonly url: string;
  /** Where HTTP actions are served (token exchange, webhooks). */
  readonly siteUrl: string;
  readonly userId: string;
  readonly userName: string;
  readonly orgId: string;
  readonly projectId: string;
  /** e.g. "SB": task keys are `${projectKey}-${number}`. */
  readonly projectKey: string;
  /** The local backend's data directory; undefined for a remote backend. */
  readonly dataDir?: string;
}

export type Query = FunctionReference<"query">;
export type Mutation = FunctionReference<"mutation">;
export type Action = FunctionReference<"action">;

/**
 * The extension's one link to Convex. Calls made while disconnected wait for the
 * connection (the official client queues them) up to a timeout, then reject with
 * a message fit for `showErrorMessage`.
 */
export interface ControlPlane {
  readonly state: ConnectionState;
  readonly onDidChangeState: vscode.Event<ConnectionState>;
  /** Null until signed in; changes when the backend is switched or restarts elsewhere. */
  readonly session: Session | null;
  readonly onDidChangeSession: vscode.Event<Session | null>;

  query<Q extends Query>(
    ref: Q,
    args: FunctionArgs<Q>,
  ): Promise<FunctionReturnType<Q>>;
  mutation<M extends Mutation>(
    ref: M,
    args: FunctionArgs<M>,
  ): Promise<FunctionReturnType<M>>;
  action<A extends Action>(
    ref: A,
    args: FunctionArgs<A>,
  ): Promise<FunctionReturnType<A>>;

  /**
   * A live query that survives reconnects and session changes: `args` is called
   * again whenever the session changes (return "skip" to pause, e.g. signed out),
   * and `onValue` gets every new result. `onError` gets a query's ConvexError.
   */
  watch<Q extends Query>(
    ref: Q,
    args: (session: Session) => FunctionArgs<Q> | "skip",
    onValue: (value: FunctionReturnType<Q>) => void,
    onError?: (error: Error) => void,
  ): vscode.Disposable;

  /** A JWT for a webview's own Convex client; null when signed out. */
  getToken(forceRefresh: boolean): Promise<string | null>;

  /** Reconnect from scratch (after switchboard.backendUrl or the token changed). */
  restart(): Promise<void>;
}

/** Opens (or reveals) a webview panel. One panel per view kind; single-item views retarget. */
export interface Panels {
  open(view: ViewKind, target?: ViewTarget): void;
}
