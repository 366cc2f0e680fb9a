/**
 * A ControlPlane for the sidebar's tests: `watch` records each subscription
 * by function name ("board:column") with the args it computed from the
 * session, and `push` delivers a value to the matching subscriptions.
 */
import { getFunctionName, type FunctionReference } from "convex/server";
import type { ControlPlane, Session } from "../../../../extension/contracts";
import { EventEmitter } from "./fakeVscode";

type Watch = {
  name: string;
  args: unknown;
  onValue: (value: unknown) => void;
  live: boolean;
};

export const SESSION: Session = {
  backend: "local",
  url: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  userId: "u1",
  userName: "Ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
  dataDir: "/tmp/sb",
};

type Handler = (args: Record<string, unknown>) => unknown;

export class FakePlane {
  readonly watches: Watch[] = [];
  /** Answers to query / mutation / action calls, by function name ("tasks:move"). */
  readonly handlers = new Map<string, Handler>();
  readonly calls: Array<{ name: string; args: Record<string, unknown> }> = [];
  private readonly sessionChanged = new EventEmitter<Session | null>();
  session: Session | null = SESSION;
  readonly state = { status: "connected" as const, detail: "test" };
  readonly onDidChangeSession = this.sessionChanged.event;
  readonly onDidChangeState = new EventEmitter<never>().event;

  watch(
    ref: FunctionReference<"query">,
    args: (session: Session) => unknown,
    onValue: (value: never) => void,
  ) {
    const watch: Watch = {
      name: getFunctionName(ref),
      args: this.session === null ? "skip" : args(this.session),
      onValue: onValue as (value: unknown) => void,
      live: true,
    };
    this.watches.push(watch);
    return { dispose: () => (watch.live = false) };
  }

  private call(
    ref: FunctionReference<"query" | "mutation" | "action">,
    args: Record<string, unknown>,
  ): Promise<unknown> {
    const name = getFunctionName(ref);
    this.calls.push({ name, args });
    const handler = this.handlers.get(name);
    if (handler === undefined)
      return Promise.reject(new Error(`no fake for ${name}`));
    // A throw becomes a rejection, as with the real client.
    return Promise.resolve().then(() => handler(args));
  }

  query = (ref: FunctionReference<"query">, args: Record<string, unknown>) =>
    this.call(ref, args);
  mutation = (
    ref: FunctionReference<"mutation">,
    args: Record<string, unknown>,
  ) => this.call(ref, args);
  action = (ref: FunctionReference<"action">, args: Record<string, unknown>) =>
    this.call(ref, args);

  /** The calls made to `name`, in order. */
  callsTo(name: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  /** Delivers `value` to live watches of `name` whose args include `match`. */
  push(
    name: string,
    value: unknown,
    match: Record<string, unknown> = {},
  ): void {
    for (const watch of this.watches) {
      if (!watch.live || watch.name !== name) continue;
      const args = watch.args as Record<string, unknown>;
      if (Object.entries(match).every(([key, v]) => args[key] === v)) {
        watch.onValue(value);
      }
    }
  }

  changeSession(session: Session | null): void {
    this.session = session;
    this.sessionChanged.fire(session);
  }

  asPlane(): ControlPlane {
    return this as unknown as ControlPlane;
  }
}
