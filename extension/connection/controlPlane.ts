/**
 * The extension's one link to Convex (contracts.ts `ControlPlane`): finds or
 * starts the backend, signs in, holds one official ConvexClient (link.ts),
 * publishes the connection state and the session, and keeps every `watch`
 * subscribed across whatever replaces the client (watchRegistry.ts).
 *
 * vscode-free: settings, the secret store, the local backend and the client are
 * injected (environment.ts wires the real ones), so the logic is unit-tested
 * with fakes and integration-tested against a real local backend.
 *
 * Recovery: the official client reconnects to the same URL by itself. A local
 * backend restarted by someone else may come back on other ports, so after
 * `relocateAfterMs` without a socket the plane reads state.json again (starting
 * the backend if none runs) and moves to the new URL when it changed.
 */
import {
  getFunctionName,
  type FunctionArgs,
  type FunctionReturnType,
} from "convex/server";
import type {
  Action,
  ConnectionState,
  ConnectionStatus,
  ControlPlane,
  Mutation,
  Query,
  Session,
} from "../contracts";
import { Disposable, type DisposableLike } from "../util/disposable";
import { Emitter } from "../util/emitter";
import { errorMessage } from "../util/errors";
import type { Logger } from "../util/log";
import { backoffMs } from "../util/time";
import type { ClientFactory } from "./client";
import { backendLabel, connectedDetail } from "./describe";
import {
  closeLink,
  guardCall,
  guardedQuery,
  NotConnectedError,
  openLink,
  type Link,
  type LinkDeps,
} from "./link";
import { BackendStartError, type LocalBackendLike } from "./localBackend";
import { RetryLoop, type RunOutcome } from "./retryLoop";
import { loadSession, SessionError, type SessionBase } from "./sessionLoader";
import {
  resolveTarget,
  sameSettings,
  SettingsError,
  type BackendSettings,
} from "./settings";
import { SignInRefusedError, type Exchange } from "./signIn";
import { WatchRegistry } from "./watchRegistry";

export { NotConnectedError };

export interface Timing {
  /** How long a call waits for a connection, and for a lost one to come back. */
  readonly callTimeoutMs: number;
  /** Local backend: how long without a socket before state.json is read again. */
  readonly relocateAfterMs: number;
  /** First wait before retrying a failed connect; doubles up to retryMaxMs. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

const DEFAULT_TIMING: Timing = {
  callTimeoutMs: 15_000,
  relocateAfterMs: 3_000,
  retryBaseMs: 5_000,
  retryMaxMs: 60_000,
};

export interface ControlPlaneOptions {
  readonly log: Logger;
  /** Read at every (re)start. */
  readonly settings: () => BackendSettings;
  /** The person's sign-in secret for a remote deployment (SecretStorage). */
  readonly readSecret: () => Promise<string | undefined>;
  /** Owned by the plane from here on: disposed with it. */
  readonly local: LocalBackendLike;
  readonly createClient: ClientFactory;
  /** A project remembered for this workspace. */
  readonly preferredProjectId?: () => string | undefined;
  /** The raw secret -> JWT exchange; by default POST {siteUrl}/auth/token. */
  readonly exchange?: Exchange;
  readonly timing?: Partial<Timing>;
}

/** A newer attempt (restart, dispose) took over; the old one stops quietly. */
class Superseded extends Error {}

/** Retrying these cannot help: the person has to change something. */
function isPermanent(error: unknown): boolean {
  return (
    error instanceof SettingsError ||
    error instanceof SignInRefusedError ||
    error instanceof SessionError ||
    error instanceof BackendStartError
  );
}

export class ConvexControlPlane extends Disposable implements ControlPlane {
  private current: ConnectionState = {
    status: "starting",
    detail: "Starting…",
  };
  private currentSession: Session | null = null;
  private link: Link | null = null;
  private generation = 0;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private settingsInUse: BackendSettings | null = null;
  /** The latest connect attempt; settles (never rejects) when it does. */
  private attempt: Promise<void> = Promise.resolve();
  private readonly timing: Timing;
  private readonly log: Logger;
  private readonly linkDeps: LinkDeps;
  private readonly stateEmitter: Emitter<ConnectionState>;
  private readonly sessionEmitter: Emitter<Session | null>;
  private readonly watches: WatchRegistry;
  private readonly relocation: RetryLoop;

  readonly onDidChangeState;
  readonly onDidChangeSession;

  constructor(private readonly options: ControlPlaneOptions) {
    super();
    this.log = options.log;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    const onListenerError = (error: unknown): void =>
      this.log.error(`A connection listener failed: ${errorMessage(error)}`);
    this.stateEmitter = this.register(new Emitter(onListenerError));
    this.sessionEmitter = this.register(new Emitter(onListenerError));
    this.onDidChangeState = this.stateEmitter.event;
    this.onDidChangeSession = this.sessionEmitter.event;
    this.watches = new WatchRegistry((error) =>
      this.log.warn(`A live query failed: ${errorMessage(error)}`),
    );
    this.relocation = this.register(
      new RetryLoop(() => this.relocate(), this.timing.relocateAfterMs, 30_000),
    );
    this.linkDeps = {
      log: this.log,
      createClient: options.createClient,
      ...(options.exchange === undefined ? {} : { exchange: options.exchange }),
      onSocket: (link, connected) => this.onSocket(link, connected),
      onTokenFailure: (link, error) => this.onTokenFailure(link, error),
    };
    this.register(options.local);
  }

  get state(): ConnectionState {
    return this.current;
  }

  get session(): Session | null {
    return this.currentSession;
  }

  /** The local backend's data directory (shown even before it runs). */
  get dataDir(): string {
    return this.options.local.dataDir;
  }

  /** Starts connecting; the promise settles when this attempt does and never rejects. */
  start(): Promise<void> {
    return this.begin(true);
  }

  restart(): Promise<void> {
    return this.begin(true);
  }

  /**
   * For the settings listener and commands that just changed a setting: restarts
   * only if the backend settings really changed, else returns the attempt in
   * flight, so a command and the listener reacting to one change restart once.
   */
  restartIfSettingsChanged(): Promise<void> {
    const now = this.options.settings();
    if (this.settingsInUse !== null && sameSettings(now, this.settingsInUse)) {
      return this.attempt;
    }
    this.log.info("The backend settings changed; reconnecting");
    return this.begin(true);
  }

  query<Q extends Query>(
    ref: Q,
    args: FunctionArgs<Q>,
  ): Promise<FunctionReturnType<Q>> {
    return this.call(ref, "query", (link) => link.client.query(ref, args));
  }

  mutation<M extends Mutation>(
    ref: M,
    args: FunctionArgs<M>,
  ): Promise<FunctionReturnType<M>> {
    return this.call(ref, "mutation", (link) =>
      link.client.mutation(ref, args),
    );
  }

  action<A extends Action>(
    ref: A,
    args: FunctionArgs<A>,
  ): Promise<FunctionReturnType<A>> {
    return this.call(ref, "action", (link) => link.client.action(ref, args));
  }

  watch<Q extends Query>(
    ref: Q,
    args: (session: Session) => FunctionArgs<Q> | "skip",
    onValue: (value: FunctionReturnType<Q>) => void,
    onError?: (error: Error) => void,
  ): DisposableLike & { dispose(): void } {
    const registration = this.watches.add({
      ref,
      args,
      onValue: (value) => onValue(value),
      ...(onError === undefined ? {} : { onError }),
    });
    return { dispose: () => void registration.dispose() };
  }

  async getToken(forceRefresh: boolean): Promise<string | null> {
    const link = this.link;
    if (link === null || this.currentSession === null) return null;
    try {
      return await link.tokens.token(forceRefresh);
    } catch (error) {
      this.onTokenFailure(link, error);
      return null;
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.unlink();
    this.watches.dispose();
    super.dispose();
  }

  // ---- connecting ------------------------------------------------------------

  private begin(resetRetries: boolean): Promise<void> {
    if (this.isDisposed) return Promise.resolve();
    const generation = ++this.generation;
    if (resetRetries) this.retries = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.relocation.reset();
    this.unlink();
    this.attempt = this.connect(generation).catch((error: unknown) =>
      this.onAttemptFailed(generation, error),
    );
    return this.attempt;
  }

  private async connect(generation: number): Promise<void> {
    const settings = this.options.settings();
    this.settingsInUse = settings;
    const target = resolveTarget(settings);
    if (target.kind === "remote") {
      this.setState("starting", `Connecting to ${target.url}…`);
      const secret = (await this.options.readSecret())?.trim();
      this.check(generation);
      if (secret === undefined || secret === "") {
        this.setState(
          "signedOut",
          `No sign-in token is stored for ${target.url}. Run “Switchboard: Switch Backend” to sign in.`,
        );
        return;
      }
      const { url, siteUrl } = target;
      await this.linkTo(
        generation,
        { backend: "remote", url, siteUrl },
        secret,
      );
      return;
    }
    const { local } = this.options;
    this.setState(
      "starting",
      `Looking for the local backend in ${local.dataDir}…`,
    );
    const running = await local.ensureRunning();
    this.check(generation);
    await this.linkTo(generation, this.localBase(running), this.ownerToken());
  }

  private localBase(running: { url: string; siteUrl: string }): SessionBase {
    return {
      backend: "local",
      url: running.url,
      siteUrl: running.siteUrl,
      dataDir: this.options.local.dataDir,
    };
  }

  private ownerToken(): string {
    const token = this.options.local.ownerToken();
    if (token === null) {
      throw new SessionError(
        `The local backend has not written its owner token (${this.options.local.dataDir}/owner-token). Reconnect to restart it.`,
      );
    }
    return token;
  }

  /** Signs in at `base`, loads the session over the new client, then swaps it in. */
  private async linkTo(
    generation: number,
    base: SessionBase,
    secret: string,
  ): Promise<void> {
    const link = await openLink(base, secret, this.linkDeps);
    let session: Session;
    try {
      this.check(generation);
      // Every query is guarded: a socket that never comes up fails the attempt in time.
      session = await loadSession(
        guardedQuery(
          link,
          `Signing in at ${base.url}`,
          this.timing.callTimeoutMs,
        ),
        base,
        this.options.preferredProjectId?.(),
      );
      this.check(generation);
    } catch (error) {
      closeLink(link, this.log);
      throw error;
    }
    const previous = this.link;
    this.link = link;
    if (previous !== null) closeLink(previous, this.log);
    this.retries = 0;
    this.setSession(session);
    this.watches.bind(link.client, session);
    this.log.info(connectedDetail(session));
    this.onSocket(link, link.client.connectionState().isWebSocketConnected);
  }

  private onAttemptFailed(generation: number, error: unknown): void {
    if (error instanceof Superseded || generation !== this.generation) return;
    if (this.isDisposed) return;
    const message = errorMessage(error);
    if (isPermanent(error)) {
      this.log.error(`Could not connect: ${message}`);
      this.setState("failed", message);
      return;
    }
    const { retryBaseMs, retryMaxMs } = this.timing;
    const waitMs = backoffMs(this.retries++, retryBaseMs, retryMaxMs);
    const again = `Retrying in ${Math.round(waitMs / 1000)} s.`;
    this.log.warn(`Could not connect: ${message} ${again}`);
    this.setState("failed", `${message} ${again}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.begin(false);
    }, waitMs);
  }

  private onTokenFailure(link: Link, error: unknown): void {
    const message = errorMessage(error);
    this.log.warn(
      `Could not refresh the sign-in at ${link.base.siteUrl}: ${message}`,
    );
    if (error instanceof SignInRefusedError && this.link === link) {
      this.setState("failed", message);
    }
  }

  // ---- connection state and relocation -----------------------------------------

  private onSocket(link: Link, connected: boolean): void {
    const session = this.currentSession;
    if (this.link !== link || link.closed || session === null) return;
    if (connected) {
      this.relocation.reset();
      // A refused sign-in stays visible until someone acts on it.
      if (this.current.status !== "failed") {
        this.setState("connected", connectedDetail(session));
      }
      return;
    }
    if (this.current.status === "connected") {
      this.setState(
        "reconnecting",
        `Lost the connection to ${backendLabel(session)}; reconnecting…`,
      );
    }
    if (link.base.backend === "local") this.relocation.schedule();
  }

  /** The local backend stayed away: find it again (or start it) and follow it to new ports. */
  private async relocate(): Promise<RunOutcome> {
    const link = this.link;
    const generation = this.generation;
    const stillDown = (): boolean =>
      generation === this.generation &&
      this.link === link &&
      link?.disconnectedSince !== null;
    if (link === null || !stillDown()) return "done";
    try {
      this.setState(
        "reconnecting",
        `The local backend at ${link.base.url} does not answer; looking for it in ${this.options.local.dataDir}…`,
      );
      const running = await this.options.local.ensureRunning();
      if (!stillDown()) return "done";
      const { url, siteUrl } = link.base;
      // Same place: the client's own reconnect gets there; look again if it does not.
      if (running.url === url && running.siteUrl === siteUrl) return "again";
      this.log.info(
        `The local backend moved to ${running.url}; reconnecting there`,
      );
      await this.linkTo(generation, this.localBase(running), this.ownerToken());
      return "done";
    } catch (error) {
      if (error instanceof Superseded || !stillDown()) return "done";
      const message = errorMessage(error);
      this.log.warn(`Could not reach the local backend again: ${message}`);
      this.setState("reconnecting", `${message} Trying again…`);
      return "failed";
    }
  }

  // ---- calls -------------------------------------------------------------------

  private async call<R>(
    ref: Query | Mutation | Action,
    kind: "query" | "mutation" | "action",
    run: (link: Link) => Promise<unknown>,
  ): Promise<R> {
    const what = `${kind} ${getFunctionName(ref)}`;
    const link = await this.ready(what);
    const mayApply =
      kind === "query"
        ? ""
        : " The change may still be applied once it is back.";
    const result = await guardCall(
      link,
      run(link),
      what,
      this.timing.callTimeoutMs,
      mayApply,
    );
    return result as R;
  }

  /** The link once there is a session; rejects at once if nothing will change by itself. */
  private ready(what: string): Promise<Link> {
    const usable = (): Link | null =>
      this.currentSession !== null ? this.link : null;
    const hopeless = (): boolean =>
      this.current.status === "signedOut" || this.current.status === "failed";
    const refused = (): NotConnectedError =>
      new NotConnectedError(
        `Switchboard is not connected: ${this.current.detail}`,
      );
    const now = usable();
    if (now !== null) return Promise.resolve(now);
    if (hopeless() || this.isDisposed) return Promise.reject(refused());
    return new Promise<Link>((resolve, reject) => {
      const subscriptions: DisposableLike[] = [];
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        for (const subscription of subscriptions) subscription.dispose();
        settle();
      };
      const check = (): void => {
        const link = usable();
        if (link !== null) finish(() => resolve(link));
        else if (hopeless()) finish(() => reject(refused()));
      };
      const seconds = Math.round(this.timing.callTimeoutMs / 1000);
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new NotConnectedError(
                `Switchboard did not connect within ${seconds} s (${what}): ${this.current.detail}`,
              ),
            ),
          ),
        this.timing.callTimeoutMs,
      );
      this.onDidChangeSession(check, undefined, subscriptions);
      this.onDidChangeState(check, undefined, subscriptions);
    });
  }

  // ---- bookkeeping -------------------------------------------------------------

  private check(generation: number): void {
    if (generation !== this.generation || this.isDisposed) {
      throw new Superseded();
    }
  }

  private unlink(): void {
    const link = this.link;
    this.link = null;
    if (link !== null) closeLink(link, this.log);
    this.watches.bind(null, null);
    this.setSession(null);
  }

  private setState(status: ConnectionStatus, detail: string): void {
    if (this.current.status === status && this.current.detail === detail) {
      return;
    }
    this.current = { status, detail };
    this.stateEmitter.fire(this.current);
  }

  private setSession(session: Session | null): void {
    if (JSON.stringify(session) === JSON.stringify(this.currentSession)) return;
    this.currentSession = session;
    this.sessionEmitter.fire(session);
  }
}
