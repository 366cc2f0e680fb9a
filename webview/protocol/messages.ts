/**
 * The message framework shared by the extension host and every webview: typed
 * request/notification constants and the envelope they travel in. Pure code, no
 * `vscode` or DOM imports, so both bundles (and the unit tests) can use it.
 */
import { isNonEmptyString, isRecord, isString, type Guard } from "./guards";

/**
 * Names are namespaced by who owns them: `webview/…` and `host/…` for plumbing,
 * `board/…`, `thread/…`, `approvals/…` for a view's domain. Lower-case segments
 * keep them greppable and stop typos like `Board/Task/Move` from becoming a second name.
 */
const METHOD_NAME = /^[a-z][a-zA-Z0-9]*(\/[a-z][a-zA-Z0-9]*)+$/;

export function isMethodName(value: unknown): value is string {
  return typeof value === "string" && METHOD_NAME.test(value);
}

/** A call that expects an answer. The guards validate what the other side sends. */
export interface RequestType<P, R> {
  readonly kind: "request";
  readonly method: string;
  readonly isParams: Guard<P>;
  readonly isResult: Guard<R>;
}

/** A fire-and-forget message. */
export interface NotificationType<P> {
  readonly kind: "notification";
  readonly method: string;
  readonly isParams: Guard<P>;
}

export type MessageType =
  RequestType<unknown, unknown> | NotificationType<unknown>;

export type ParamsOf<T> =
  T extends RequestType<infer P, unknown>
    ? P
    : T extends NotificationType<infer P>
      ? P
      : never;
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

function checkName(method: string): void {
  if (!isMethodName(method)) {
    throw new Error(`Invalid message name ${JSON.stringify(method)}`);
  }
}

/**
 * Defines a request. The guards are required, not optional: a message from the
 * other side of the boundary is never trusted, so every payload is checked.
 */
export function defineRequest<P, R>(
  method: string,
  guards: { params: Guard<P>; result: Guard<R> },
): RequestType<P, R> {
  checkName(method);
  return Object.freeze({
    kind: "request",
    method,
    isParams: guards.params,
    isResult: guards.result,
  });
}

export function defineNotification<P>(
  method: string,
  params: Guard<P>,
): NotificationType<P> {
  checkName(method);
  return Object.freeze({ kind: "notification", method, isParams: params });
}

/** What is sent when something goes wrong answering a request. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}

export type ErrorCode =
  | "unknown_method"
  | "invalid_params"
  | "invalid_result"
  | "handler_error"
  | "timeout"
  | "disposed";

export const ERROR_CODES: readonly ErrorCode[] = [
  "unknown_method",
  "invalid_params",
  "invalid_result",
  "handler_error",
  "timeout",
  "disposed",
];

/** The envelope. `id` correlates a response with its request; ids are per sender. */
export type Message =
  | { kind: "request"; id: number; method: string; params: unknown }
  | { kind: "notification"; method: string; params: unknown }
  | { kind: "response"; id: number; result: unknown }
  | { kind: "response"; id: number; error: ErrorBody };

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    isRecord(value) &&
    isString(value.message) &&
    (ERROR_CODES as readonly unknown[]).includes(value.code)
  );
}

/**
 * Validates the envelope of an incoming value. With `methods`, a request or
 * notification whose name is not in the set is rejected too (responses carry no
 * name; they are matched by id). Payloads are checked later, by the definition's guards.
 */
export function isMessage(
  value: unknown,
  methods?: ReadonlySet<string>,
): value is Message {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case "request":
    case "notification":
      return (
        (value.kind === "notification" || isId(value.id)) &&
        isNonEmptyString(value.method) &&
        isMethodName(value.method) &&
        (methods === undefined || methods.has(value.method)) &&
        Object.hasOwn(value, "params")
      );
    case "response": {
      const hasResult = Object.hasOwn(value, "result");
      const hasError = Object.hasOwn(value, "error");
      return (
        isId(value.id) &&
        hasResult !== hasError &&
        (!hasError || isErrorBody(value.error))
      );
    }
    default:
      return false;
  }
}

/** The names of a set of definitions, for `isMessage(value, methods)`. */
export function methodsOf(types: readonly MessageType[]): ReadonlySet<string> {
  return new Set(types.map((type) => type.method));
}
