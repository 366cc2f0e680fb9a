/**
 * Every live query the extension asked for, kept independent of any one client,
 * so a watch survives what replaces the client: a restart, a backend switch, a
 * local backend that came back on other ports. `bind` moves all of them to the
 * current client and session (or parks them while there is none).
 */
import type { FunctionReference } from "convex/server";
import type { Session } from "../contracts";
import type { DisposableLike } from "../util/disposable";
import type { ClientLike } from "./client";

type Args = Record<string, unknown>;

export interface WatchSpec {
  readonly ref: FunctionReference<"query">;
  readonly args: (session: Session) => Args | "skip";
  readonly onValue: (value: unknown) => void;
  readonly onError?: (error: Error) => void;
}

interface Entry {
  readonly spec: WatchSpec;
  /** What it is subscribed with now, to skip a resubscription that changes nothing. */
  bound: { client: ClientLike; argsKey: string; stop: () => void } | null;
}

export class WatchRegistry {
  private readonly entries = new Set<Entry>();
  private target: { client: ClientLike; session: Session } | null = null;

  constructor(
    private readonly reportError: (error: unknown) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Number of watches subscribed on a client right now. */
  get activeCount(): number {
    let count = 0;
    for (const entry of this.entries) if (entry.bound !== null) count++;
    return count;
  }

  add(spec: WatchSpec): DisposableLike {
    const entry: Entry = { spec, bound: null };
    this.entries.add(entry);
    this.subscribe(entry);
    return {
      dispose: () => {
        if (!this.entries.delete(entry)) return;
        this.unsubscribe(entry);
      },
    };
  }

  /** Moves every watch to this client and session; null parks them all. */
  bind(client: ClientLike | null, session: Session | null): void {
    this.target =
      client !== null && session !== null ? { client, session } : null;
    for (const entry of this.entries) this.subscribe(entry);
  }

  dispose(): void {
    for (const entry of this.entries) this.unsubscribe(entry);
    this.entries.clear();
    this.target = null;
  }

  private subscribe(entry: Entry): void {
    const target = this.target;
    if (target === null) {
      this.unsubscribe(entry);
      return;
    }
    let args: Args | "skip";
    try {
      args = entry.spec.args(target.session);
    } catch (error) {
      this.unsubscribe(entry);
      this.deliverError(entry, error);
      return;
    }
    if (args === "skip") {
      this.unsubscribe(entry);
      return;
    }
    const argsKey = JSON.stringify(args);
    const bound = entry.bound;
    if (bound?.client === target.client && bound.argsKey === argsKey) return;
    this.unsubscribe(entry);
    const stop = target.client.onUpdate(
      entry.spec.ref,
      args,
      (value) => this.guard(() => entry.spec.onValue(value)),
      (error) => this.deliverError(entry, error),
    );
    entry.bound = { client: target.client, argsKey, stop };
  }

  private unsubscribe(entry: Entry): void {
    const bound = entry.bound;
    entry.bound = null;
    if (bound !== null) this.guard(bound.stop);
  }

  private deliverError(entry: Entry, error: unknown): void {
    const asError = error instanceof Error ? error : new Error(String(error));
    const onError = entry.spec.onError;
    if (onError === undefined) this.reportError(asError);
    else this.guard(() => onError(asError));
  }

  /** A throwing callback must not break the client's update loop or the other watches. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.reportError(error);
    }
  }
}
