/**
 * The connection lifecycle every view shares, as a small store React reads with
 * `useSyncExternalStore`. Pure: the Convex client comes from a factory, so the
 * unit tests drive it with a fake transport and a fake client.
 *
 * Order: handlers are registered before `webview/ready` is sent (a host message
 * that arrives with no listener is dropped). Every `host/init` starts a new
 * "generation": the view remounts under the (possibly new) identity and backend.
 */
import {
  Endpoint,
  errorMessage,
  hostAuthToken,
  hostInit,
  hostTargetChanged,
  hostThemeChanged,
  isBoardPreload,
  webviewAttachSandbox,
  webviewOpenSandbox,
  webviewOpenView,
  webviewReady,
  type InitParams,
  type ThemeKind,
  type ViewContext,
  type ViewKind,
  type ViewTarget,
} from "../protocol";

export type TokenFetcher = (args: {
  forceRefreshToken: boolean;
}) => Promise<string | null | undefined>;

/** The part of ConvexReactClient the session drives. */
export interface AuthClient {
  setAuth(
    fetchToken: TokenFetcher,
    onChange?: (isAuthenticated: boolean) => void,
  ): void;
  close(): Promise<void>;
  /** When present, the view is shown once the WebSocket is open (see onInit). */
  subscribeToConnectionState?(
    callback: (state: { isWebSocketConnected: boolean }) => void,
  ): () => void;
}

/**
 * Subscribes a view's first queries as soon as the client exists, before React
 * mounts the view (which subscribes the same queries again, with the same
 * arguments, and finds them answered). Calls `onAnswered` once every one of them
 * has a first result. Returns the unsubscribe.
 */
export type Prewarm<C> = (
  client: C,
  context: ViewContext,
  onAnswered: () => void,
) => () => void;

/** How long the view waits for the socket (or its prewarmed queries) before it shows anyway. */
const SHOW_WAIT_MS = 250;
/** How long prewarmed subscriptions are kept; the view's own ones take over. */
const PREWARM_KEEP_MS = 10_000;

export type AuthStatus = "pending" | "ok" | "rejected";

export type SessionState<C> =
  | { readonly phase: "waiting" }
  | { readonly phase: "signedOut"; readonly init: InitParams }
  | {
      readonly phase: "connected";
      readonly init: InitParams;
      readonly context: ViewContext;
      readonly target: ViewTarget;
      readonly client: C;
      /** Bumped by every init: the key the view's React tree is mounted under. */
      readonly generation: number;
      readonly auth: AuthStatus;
      /** Why the last token request failed, if it did. */
      readonly authError?: string;
    };

export class ViewSession<C extends AuthClient> {
  private state: SessionState<C> = { phase: "waiting" };
  private readonly listeners = new Set<() => void>();
  private client: { url: string; instance: C } | undefined;
  private generation = 0;
  private lastAuthError: string | undefined;
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly endpoint: Endpoint,
    private readonly view: ViewKind,
    private readonly createClient: (backendUrl: string) => C,
    private readonly prewarm?: Prewarm<C>,
  ) {}

  /** Listens for the host, then says ready. Call once. */
  start(): void {
    this.disposers.push(
      this.endpoint.onNotification(hostInit, (init) => this.onInit(init)),
      this.endpoint.onNotification(hostTargetChanged, ({ target }) =>
        this.onTarget(target),
      ),
      this.endpoint.onNotification(hostThemeChanged, ({ theme }) =>
        this.onTheme(theme),
      ),
    );
    this.endpoint.notify(webviewReady, { view: this.view });
  }

  readonly getState = (): SessionState<C> => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Asks the host to open (or reveal) another view. */
  readonly openView = (view: ViewKind, target: ViewTarget): void => {
    this.endpoint.notify(webviewOpenView, { view, target });
  };

  /** Asks the host to open a sandbox for a task: only it can run git and Docker. */
  readonly openSandbox = (taskId: string): void => {
    this.endpoint.notify(webviewOpenSandbox, { taskId });
  };

  /** Asks the host to open a ready sandbox (Dev Containers window or terminal). */
  readonly attachSandbox = (sandboxId: string): void => {
    this.endpoint.notify(webviewAttachSandbox, { sandboxId });
  };

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.closeClient();
    this.endpoint.dispose();
  }

  private onInit(init: InitParams): void {
    this.generation += 1;
    if (!init.signedIn || init.context === null) {
      this.closeClient();
      this.set({ phase: "signedOut", init });
      return;
    }
    if (this.client?.url !== init.backendUrl) {
      this.closeClient();
      this.client = {
        url: init.backendUrl,
        instance: this.createClient(init.backendUrl),
      };
    }
    const generation = this.generation;
    const client = this.client.instance;
    const context = init.context;
    this.lastAuthError = undefined;
    // Setting auth again on a kept client makes it fetch a fresh token: a second
    // init means the host's credential or project may have changed.
    client.setAuth(this.fetchToken, (ok) => this.onAuth(generation, ok));
    const show = (): void => {
      // A later init (or dispose) has taken over meanwhile.
      if (this.generation !== generation || this.client?.instance !== client)
        return;
      this.set({
        phase: "connected",
        init,
        context,
        target: init.target,
        client,
        generation,
        auth: "pending",
      });
    };
    // Mounting a view is the page's biggest piece of work, and while it runs no
    // WebSocket event is handled: not the "open" the client sends its queries
    // from, not the answers. So the view is mounted once its prewarmed queries
    // are answered (it then renders with data in one pass), or, for views
    // without, once the socket is open; after a short wait in any case.
    let shown = false;
    const showOnce = (): void => {
      if (shown) return;
      shown = true;
      clearTimeout(fallback);
      show();
    };
    const fallback = setTimeout(showOnce, SHOW_WAIT_MS);
    // The host sent the first pages along: render them now, while the socket connects.
    const preloaded = isBoardPreload(init.preload);
    if (this.prewarm !== undefined) {
      const release = this.prewarm(client, context, showOnce);
      const timer = setTimeout(release, PREWARM_KEEP_MS);
      this.disposers.push(() => {
        clearTimeout(timer);
        release();
      });
      if (preloaded) showOnce();
      return;
    }
    if (client.subscribeToConnectionState === undefined) {
      showOnce();
      return;
    }
    const unsubscribe = client.subscribeToConnectionState((state) => {
      if (!state.isWebSocketConnected) return;
      // Deferred: the callback may run inside subscribeToConnectionState itself.
      queueMicrotask(() => unsubscribe());
      showOnce();
    });
  }

  private onTarget(target: ViewTarget): void {
    const state = this.state;
    if (state.phase === "connected") this.set({ ...state, target });
    else if (state.phase === "signedOut") {
      this.set({ ...state, init: { ...state.init, target } });
    }
  }

  private onTheme(theme: ThemeKind): void {
    const state = this.state;
    if (state.phase === "waiting") return;
    this.set({ ...state, init: { ...state.init, theme } });
  }

  private onAuth(generation: number, ok: boolean): void {
    const state = this.state;
    // A late answer for a previous init must not overwrite the current one.
    if (state.phase !== "connected" || state.generation !== generation) return;
    const authError = ok ? undefined : this.lastAuthError;
    this.set({
      ...state,
      auth: ok ? "ok" : "rejected",
      ...(authError === undefined ? {} : { authError }),
    });
  }

  /** The token stays in this closure's promise and Convex's memory; nowhere else. */
  private readonly fetchToken: TokenFetcher = async ({ forceRefreshToken }) => {
    try {
      const { token } = await this.endpoint.request(hostAuthToken, {
        forceRefresh: forceRefreshToken,
      });
      if (token === null) this.lastAuthError = "VS Code is not signed in.";
      return token;
    } catch (error) {
      this.lastAuthError = `Could not get a sign-in token from VS Code: ${errorMessage(error)}`;
      return null;
    }
  };

  private closeClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      client.instance.close().catch(() => {
        // Closing a socket that is already gone is not worth reporting.
      });
    }
  }

  private set(state: SessionState<C>): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener();
  }
}
