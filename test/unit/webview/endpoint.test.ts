/** The request/response correlator, against an in-memory transport. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { TASK_STATUSES } from "../../../convex/model/taskStatus";
import type { TaskStatus } from "../../../convex/validators";
import {
  defineNotification,
  defineRequest,
  Endpoint,
  hostInit,
  isEither,
  isLiteral,
  isNonEmptyString,
  isObject,
  isOneOf,
  isString,
  RpcError,
  webviewReady,
  type Message,
  type Transport,
} from "../../../webview/protocol";

// A request and a notification of the shape views use, defined here: the
// correlator is what is under test, not any one view's messages.
type MoveTaskResult = { ok: true } | { ok: false; message: string };
const boardTaskMove = defineRequest<
  { taskId: string; toStatus: TaskStatus },
  MoveTaskResult
>("test/task/move", {
  params: isObject({
    taskId: isNonEmptyString,
    toStatus: isOneOf(TASK_STATUSES),
  }),
  result: isEither(
    isObject({ ok: isLiteral(true) }),
    isObject({ ok: isLiteral(false), message: isString }),
  ),
});
const boardTaskOpen = defineNotification(
  "test/task/open",
  isObject({ taskId: isNonEmptyString }),
);

/** A transport whose outgoing messages are recorded and whose input the test drives. */
class FakeTransport implements Transport {
  readonly sent: Message[] = [];
  private listener: ((value: unknown) => void) | undefined;
  post(message: Message): void {
    // postMessage structured-clones, so nothing is shared by reference.
    this.sent.push(structuredClone(message));
  }
  onMessage(listener: (value: unknown) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  deliver(value: unknown): void {
    this.listener?.(structuredClone(value));
  }
  get listening(): boolean {
    return this.listener !== undefined;
  }
}

/** Two endpoints wired to each other, delivering asynchronously like postMessage. */
function pair(): { host: Endpoint; view: Endpoint } {
  const hostSide = new FakeTransport();
  const viewSide = new FakeTransport();
  const link = (from: FakeTransport, to: FakeTransport): void => {
    from.post = (message) => queueMicrotask(() => to.deliver(message));
  };
  link(hostSide, viewSide);
  link(viewSide, hostSide);
  return { host: new Endpoint(hostSide), view: new Endpoint(viewSide) };
}

const move = { taskId: "t1", toStatus: "in_progress" } as const;

afterEach(() => {
  vi.useRealTimers();
});

describe("round trips", () => {
  test("a request gets its handler's result", async () => {
    const { host, view } = pair();
    host.onRequest(boardTaskMove, ({ toStatus }): MoveTaskResult =>
      toStatus === "done"
        ? { ok: true }
        : { ok: false, message: "Illegal move" },
    );
    await expect(view.request(boardTaskMove, move)).resolves.toEqual({
      ok: false,
      message: "Illegal move",
    });
    await expect(
      view.request(boardTaskMove, { ...move, toStatus: "done" }),
    ).resolves.toEqual({
      ok: true,
    });
  });

  test("ready handshake: the host answers ready with init", async () => {
    const { host, view } = pair();
    host.onNotification(webviewReady, () =>
      host.notify(hostInit, {
        backendUrl: "http://127.0.0.1:3210",
        signedIn: true,
        theme: "dark",
        context: null,
        target: {},
      }),
    );
    const init = new Promise((resolve) =>
      view.onNotification(hostInit, resolve),
    );
    view.notify(webviewReady, { view: "board" });
    await expect(init).resolves.toEqual({
      backendUrl: "http://127.0.0.1:3210",
      signedIn: true,
      theme: "dark",
      context: null,
      target: {},
    });
  });

  test("async handlers and out-of-order responses are matched by id", async () => {
    const transport = new FakeTransport();
    const view = new Endpoint(transport);
    const first = view.request(boardTaskMove, move);
    const second = view.request(boardTaskMove, { ...move, taskId: "t2" });
    const [a, b] = transport.sent;
    expect(a?.kind === "request" && b?.kind === "request").toBe(true);
    if (a?.kind !== "request" || b?.kind !== "request") return;
    expect(a.id).not.toBe(b.id);
    transport.deliver({
      kind: "response",
      id: b.id,
      result: { ok: false, message: "second" },
    });
    transport.deliver({ kind: "response", id: a.id, result: { ok: true } });
    await expect(first).resolves.toEqual({ ok: true });
    await expect(second).resolves.toEqual({ ok: false, message: "second" });
  });
});

describe("errors", () => {
  const expectRpcError = async (
    promise: Promise<unknown>,
    code: string,
    message?: RegExp,
  ) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(code);
    if (message) expect((error as RpcError).message).toMatch(message);
  };

  test("a throwing handler rejects the caller with its message", async () => {
    const { host, view } = pair();
    host.onRequest(boardTaskMove, () => {
      throw new Error("backend unreachable");
    });
    await expectRpcError(
      view.request(boardTaskMove, move),
      "handler_error",
      /backend unreachable/,
    );
  });

  test("an async handler's rejection propagates too", async () => {
    const { host, view } = pair();
    host.onRequest(boardTaskMove, () =>
      Promise.reject(new Error("no permission")),
    );
    await expectRpcError(
      view.request(boardTaskMove, move),
      "handler_error",
      /no permission/,
    );
  });

  test("a request nobody handles fails with unknown_method", async () => {
    const { view } = pair();
    await expectRpcError(
      view.request(boardTaskMove, move),
      "unknown_method",
      /test\/task\/move/,
    );
  });

  test("invalid params never reach the handler", async () => {
    const { host, view } = pair();
    const handler = vi.fn(() => ({ ok: true as const }));
    host.onRequest(boardTaskMove, handler);
    const bad = { taskId: "t1", toStatus: "flying" } as unknown as typeof move;
    await expectRpcError(view.request(boardTaskMove, bad), "invalid_params");
    expect(handler).not.toHaveBeenCalled();
  });

  test("a result of the wrong shape is rejected on the caller's side", async () => {
    const transport = new FakeTransport();
    const view = new Endpoint(transport);
    const pending = view.request(boardTaskMove, move);
    transport.deliver({ kind: "response", id: 1, result: { ok: "maybe" } });
    await expectRpcError(pending, "invalid_result");
  });

  test("a request times out, and its late response is ignored", async () => {
    vi.useFakeTimers();
    const onInvalid = vi.fn();
    const transport = new FakeTransport();
    const view = new Endpoint(transport, { timeoutMs: 500, onInvalid });
    const pending = expectRpcError(
      view.request(boardTaskMove, move),
      "timeout",
      /500 ms/,
    );
    await vi.advanceTimersByTimeAsync(500);
    await pending;
    transport.deliver({ kind: "response", id: 1, result: { ok: true } });
    expect(onInvalid).toHaveBeenCalledWith(
      expect.objectContaining({ id: 1 }),
      "response to no pending request",
    );
  });

  test("a response in time clears its timer", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport();
    const view = new Endpoint(transport, { timeoutMs: 500 });
    const pending = view.request(boardTaskMove, move);
    transport.deliver({ kind: "response", id: 1, result: { ok: true } });
    await expect(pending).resolves.toEqual({ ok: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  test("a post that throws fails the request at once", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport();
    transport.post = () => {
      throw new Error("Webview is disposed");
    };
    const view = new Endpoint(transport);
    await expectRpcError(
      view.request(boardTaskMove, move),
      "disposed",
      /Webview is disposed/,
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  test("dispose fails pending requests, unsubscribes and refuses new ones", async () => {
    const transport = new FakeTransport();
    const view = new Endpoint(transport);
    const pending = view.request(boardTaskMove, move);
    view.dispose();
    await expectRpcError(pending, "disposed");
    await expectRpcError(view.request(boardTaskMove, move), "disposed");
    expect(transport.listening).toBe(false);
  });
});

describe("untrusted input", () => {
  test("garbage is reported, never thrown into the transport", () => {
    const onInvalid = vi.fn();
    const transport = new FakeTransport();
    new Endpoint(transport, { onInvalid });
    for (const value of [
      null,
      42,
      "x",
      [],
      { kind: "request" },
      { kind: "response", id: "1" },
    ]) {
      expect(() => transport.deliver(value)).not.toThrow();
    }
    expect(onInvalid).toHaveBeenCalledTimes(6);
    expect(transport.sent).toEqual([]);
  });

  test("a notification with bad params is dropped; a throwing listener does not stop others", () => {
    const onInvalid = vi.fn();
    const transport = new FakeTransport();
    const host = new Endpoint(transport, { onInvalid });
    const seen: string[] = [];
    host.onNotification(boardTaskOpen, () => {
      throw new Error("first listener broke");
    });
    host.onNotification(boardTaskOpen, ({ taskId }) => seen.push(taskId));
    transport.deliver({
      kind: "notification",
      method: "test/task/open",
      params: { taskId: 5 },
    });
    transport.deliver({
      kind: "notification",
      method: "test/task/open",
      params: { taskId: "t9" },
    });
    expect(seen).toEqual(["t9"]);
    expect(onInvalid).toHaveBeenCalledTimes(3);
  });

  test("one request handler per name", () => {
    const host = new Endpoint(new FakeTransport());
    const off = host.onRequest(boardTaskMove, () => ({ ok: true }));
    expect(() => host.onRequest(boardTaskMove, () => ({ ok: true }))).toThrow(
      /already/,
    );
    off();
    expect(() =>
      host.onRequest(boardTaskMove, () => ({ ok: true })),
    ).not.toThrow();
  });
});
