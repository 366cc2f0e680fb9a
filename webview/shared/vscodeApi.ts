/**
 * The one handle a webview gets on VS Code: `acquireVsCodeApi()`, which may be
 * called only once per page, plus the transport the protocol's Endpoint runs on.
 */
import type { Message, Transport } from "../protocol";

/** What `acquireVsCodeApi()` returns (VS Code injects it; there is no npm type). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  /** Persisted by VS Code on disk: harmless UI state only, never a token. */
  getState(): unknown;
  setState<T>(state: T): T;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

let api: VsCodeApi | undefined;

/** The page's VS Code API, acquired on first use (a second acquire would throw). */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Host messages arrive as window "message" events; ours leave through postMessage. */
export function windowTransport(vscode: VsCodeApi, target: Window): Transport {
  return {
    post(message: Message) {
      vscode.postMessage(message);
    },
    onMessage(listener) {
      const handler = (event: MessageEvent<unknown>): void => {
        listener(event.data);
      };
      target.addEventListener("message", handler);
      return () => target.removeEventListener("message", handler);
    },
  };
}
