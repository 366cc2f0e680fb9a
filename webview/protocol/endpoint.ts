/**
 * One side of the conversation: correlates requests with responses and dispatches
 * incoming requests and notifications to handlers. The transport is injected
 * (`webview.postMessage` / `onDidReceiveMessage` on the host, `acquireVsCodeApi()` /
 * `window` "message" events in a webview), so this file imports neither vscode nor the DOM.
 */
import { errorMessage, RpcError, toErrorBody } from "./errors";
import {
  isMessage,
  type Message,
  type NotificationType,
  type RequestType,
} from "./messages";

export interface Transport {
  post(message: Message): void;
  /** Subscribes to raw incoming values; returns the unsubscribe function. */
  onMessage(listener: (value: unknown) => void): () => void;
}

export interface EndpointOptions {
  /** How long a request waits for its response. Default 10 s. */
  timeoutMs?: number;
  /** Told about every dropped incoming value, for logging; never throws into the transport. */
  onInvalid?: (value: unknown, reason: string) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: RpcError): void;
  isResult(value: unknown): boolean;
  method: string;
  timer: ReturnType<typeof setTimeout>;
}

type Handler = (params: unknown) => unknown;

export class Endpoint {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly requestHandlers = new Map<string, Handler>();
  private readonly notificationHandlers = new Map<string, Set<Handler>>();
  private readonly unsubscribe: () => void;
  private readonly timeoutMs: number;
  private disposed = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: EndpointOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.unsubscribe = transport.onMessage((value) => this.receive(value));
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    if (this.disposed) {
      return Promise.reject(new RpcError("disposed", "The view was closed"));
    }
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Deleting the entry is what makes a late response harmless: it finds nothing.
        this.pending.delete(id);
        reject(
          new RpcError(
            "timeout",
            `${type.method}: no answer in ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve,
        reject,
        isResult: type.isResult,
        method: type.method,
        timer,
      });
      try {
        this.transport.post({
          kind: "request",
          id,
          method: type.method,
          params,
        });
      } catch (error) {
        // VS Code throws when the panel is already gone; fail now, not at the timeout.
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new RpcError("disposed", errorMessage(error)));
      }
    });
  }

  notify<P>(type: NotificationType<P>, params: P): void {
    if (this.disposed) return;
    this.transport.post({ kind: "notification", method: type.method, params });
  }

  /** One handler per request name: two answers to one request would be ambiguous. */
  onRequest<P, R>(
    type: RequestType<P, R>,
    handler: (params: P) => R | Promise<R>,
  ): () => void {
    if (this.requestHandlers.has(type.method)) {
      throw new Error(`${type.method} already has a handler`);
    }
    const wrapped: Handler = (params) => {
      if (!type.isParams(params)) {
        throw new RpcError("invalid_params", `${type.method}: invalid params`);
      }
      return handler(params);
    };
    this.requestHandlers.set(type.method, wrapped);
    return () => {
      if (this.requestHandlers.get(type.method) === wrapped) {
        this.requestHandlers.delete(type.method);
      }
    };
  }

  onNotification<P>(
    type: NotificationType<P>,
    handler: (params: P) => void,
  ): () => void {
    const wrapped: Handler = (params) => {
      if (type.isParams(params)) handler(params);
      else this.options.onInvalid?.(params, `${type.method}: invalid params`);
    };
    const handlers = this.notificationHandlers.get(type.method) ?? new Set();
    handlers.add(wrapped);
    this.notificationHandlers.set(type.method, handlers);
    return () => handlers.delete(wrapped);
  }

  /** Stops listening and fails every request still waiting. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unsubscribe();
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new RpcError("disposed", "The view was closed"));
    }
  }

  private receive(value: unknown): void {
    if (this.disposed) return;
    if (!isMessage(value)) {
      this.options.onInvalid?.(value, "not a protocol message");
      return;
    }
    if (value.kind === "response") this.settle(value);
    else if (value.kind === "request") {
      this.answer(value).catch((error: unknown) =>
        this.options.onInvalid?.(
          value,
          `could not reply: ${errorMessage(error)}`,
        ),
      );
    } else {
      const handlers = this.notificationHandlers.get(value.method);
      if (!handlers || handlers.size === 0) {
        this.options.onInvalid?.(value, `no handler for ${value.method}`);
        return;
      }
      for (const handler of handlers) {
        try {
          handler(value.params);
        } catch (error) {
          // One failing listener must not stop the others or the transport.
          this.options.onInvalid?.(
            value,
            `handler threw: ${errorMessage(error)}`,
          );
        }
      }
    }
  }

  private settle(response: Extract<Message, { kind: "response" }>): void {
    const pending = this.pending.get(response.id);
    if (!pending) {
      this.options.onInvalid?.(response, "response to no pending request");
      return;
    }
    this.pending.delete(response.id);
    clearTimeout(pending.timer);
    if ("error" in response) {
      pending.reject(new RpcError(response.error.code, response.error.message));
    } else if (!pending.isResult(response.result)) {
      pending.reject(
        new RpcError("invalid_result", `${pending.method}: invalid result`),
      );
    } else {
      pending.resolve(response.result);
    }
  }

  private async answer(
    request: Extract<Message, { kind: "request" }>,
  ): Promise<void> {
    const handler = this.requestHandlers.get(request.method);
    let reply: Message;
    try {
      if (!handler) {
        throw new RpcError(
          "unknown_method",
          `Unknown request ${request.method}`,
        );
      }
      const result = await handler(request.params);
      reply = { kind: "response", id: request.id, result };
    } catch (error) {
      reply = { kind: "response", id: request.id, error: toErrorBody(error) };
    }
    // The view may have closed while the handler ran; posting then would throw.
    if (!this.disposed) this.transport.post(reply);
  }
}
