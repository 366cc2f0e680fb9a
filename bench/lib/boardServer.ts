/**
 * Serves the board webview to a plain Chromium page the way VS Code would show it:
 * the extension's own HTML (renderWebviewHtml: CSP with a nonce, connect-src = the
 * backend) plus what VS Code itself contributes to a webview, faked:
 * - `acquireVsCodeApi()`, defined by a nonce'd script first in <head>. It
 *   plays the extension host: answers `webview/ready` with `host/init` and
 *   `host/auth/token` with the owner's JWT, delivered as window "message" events
 *   (how VS Code delivers `webview.postMessage`).
 * - the `--vscode-*` colour and font variables of a dark theme and the body class.
 * The page is not under VS Code's service worker or nested iframes, so what is
 * measured is the board itself: bundle parse, Convex connect, queries, React.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PRELOAD_WAIT_MS } from "../../extension/webviews/boardPreload";
import { renderWebviewHtml } from "../../extension/webviews/html";
import { createNonce } from "../../extension/webviews/nonce";
import type { BoardPreload, InitParams } from "../../webview/protocol";

export type BoardServer = {
  url: string;
  /** Serves `html` (a page without scripts) at /static/`name` and returns its URL. */
  serveStatic(name: string, html: string): string;
  close(): Promise<void>;
};

/** A few of Dark Modern's tokens, enough for the board and the toolkit to look right. */
const DARK_THEME_CSS = `
:root {
  --vscode-font-family: -apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif;
  --vscode-font-size: 13px;
  --vscode-font-weight: normal;
  --vscode-editor-font-family: "Droid Sans Mono", monospace;
  --vscode-editor-font-size: 14px;
  --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d;
  --vscode-errorForeground: #f85149;
  --vscode-focusBorder: #0078d4;
  --vscode-editor-background: #1f1f1f;
  --vscode-editor-foreground: #cccccc;
  --vscode-sideBar-background: #181818;
  --vscode-panel-border: #2b2b2b;
  --vscode-widget-border: #313131;
  --vscode-widget-shadow: rgba(0, 0, 0, 0.36);
  --vscode-editorWidget-background: #202020;
  --vscode-button-background: #0078d4;
  --vscode-button-foreground: #ffffff;
  --vscode-button-hoverBackground: #026ec1;
  --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc;
  --vscode-input-background: #313131;
  --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c;
  --vscode-input-placeholderForeground: #989898;
  --vscode-dropdown-background: #313131;
  --vscode-dropdown-border: #3c3c3c;
  --vscode-badge-background: #616161;
  --vscode-badge-foreground: #f8f8f8;
  --vscode-list-hoverBackground: #2a2d2e;
  --vscode-list-activeSelectionBackground: #04395e;
  --vscode-textLink-foreground: #4daafc;
  --vscode-progressBar-background: #0078d4;
  --vscode-scrollbarSlider-background: rgba(121, 121, 121, 0.4);
  --vscode-charts-red: #f14c4c;
  --vscode-charts-orange: #d18616;
  --vscode-charts-yellow: #cca700;
  --vscode-charts-green: #89d185;
  --vscode-charts-blue: #3794ff;
  --vscode-charts-purple: #b180d7;
}
html { background-color: var(--vscode-editor-background); }
body {
  margin: 0;
  padding: 0 20px;
  color: var(--vscode-foreground);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size);
}
`;

/**
 * The fake host, as page script. `__sbBench` is what the benchmark reads back:
 * performance.now() when the board said `webview/ready`, when the host's preload
 * arrived and when `host/init` was posted, and how many tokens were asked for.
 */
function fakeHostScript(
  init: InitParams,
  token: string,
  preloadWaitMs: number | null,
): string {
  // JSON inside <script>: escape "<" so no value can close the element.
  const config = JSON.stringify({ init, token, preloadWaitMs }).replace(
    /</g,
    "\\u003c",
  );
  return `(() => {
  const config = ${config};
  const bench = (window.__sbBench = { readyAt: null, preloadAt: null, initSentAt: null, tokenRequests: 0, unknown: [] });
  // The host's preload, arriving as /preload.js while the page loads (it
  // reads it over its own connection in parallel, see startBoardServer).
  let preload;
  const preloadArrived = [];
  window.__sbPreloaded = (value) => {
    bench.preloadAt = performance.now();
    preload = value;
    for (const resolve of preloadArrived.splice(0)) resolve();
  };
  const sendInit = () => {
    bench.initSentAt = performance.now();
    const init = preload === undefined ? config.init : { ...config.init, preload };
    deliver({ kind: "notification", method: "host/init", params: init });
  };
  document.addEventListener("DOMContentLoaded", () => {
    document.body.classList.add("vscode-dark");
    document.body.dataset.vscodeThemeKind = "vscode-dark";
  });
  const deliver = (message) => window.postMessage(message, window.location.origin);
  let acquired = false;
  let state;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error("An instance of the VS Code API has already been acquired");
    acquired = true;
    return {
      postMessage(message) {
        if (message?.kind === "notification" && message.method === "webview/ready") {
          bench.readyAt = performance.now();
          if (config.preloadWaitMs === null || preload !== undefined) sendInit();
          else {
            // As the host does: wait a little for a preload still in flight.
            const timer = setTimeout(() => preloadArrived.splice(0).forEach((f) => f()), config.preloadWaitMs);
            preloadArrived.push(() => { clearTimeout(timer); sendInit(); });
          }
        } else if (message?.kind === "request" && message.method === "host/auth/token") {
          bench.tokenRequests += 1;
          deliver({ kind: "response", id: message.id, result: { token: config.token } });
        } else if (message?.kind === "request") {
          bench.unknown.push(message.method);
          deliver({ kind: "response", id: message.id, error: { code: "unknown_method", message: "not in the benchmark's fake host" } });
        }
      },
      getState: () => state,
      setState: (value) => (state = value),
    };
  };
})();`;
}

function renderPage(
  origin: string,
  init: InitParams,
  token: string,
  hasCss: boolean,
  preloading: boolean,
): string {
  const nonce = createNonce();
  const html = renderWebviewHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/board.js`,
    ...(hasCss ? { styleUri: `${origin}/board.css` } : {}),
    title: "Switchboard Board",
    backendOrigin: init.backendUrl,
  });
  // VS Code's own additions go where VS Code puts them: its API script and default
  // styles first in <head>, so neither waits for the page's stylesheet. They carry
  // the nonce, so the same CSP admits them wherever they sit.
  const additions = [
    `<head>`,
    `    <script nonce="${nonce}">${fakeHostScript(init, token, preloading ? PRELOAD_WAIT_MS : null)}</script>`,
    ...(preloading
      ? [
          `    <script nonce="${nonce}" src="${origin}/preload.js" async></script>`,
        ]
      : []),
    `    <style nonce="${nonce}">${DARK_THEME_CSS}</style>`,
  ].join("\n");
  // A replacer function: a "$" in the token or a title must not act as a pattern.
  const page = html.replace("<head>", () => additions);
  if (!page.includes("__sbBench"))
    throw new Error("renderWebviewHtml's markup changed: cannot add the host");
  return page;
}

/** `webviewDir`: a build's dist/webview (board.js, and board.css when built). */
export async function startBoardServer(options: {
  webviewDir: string;
  init: InitParams;
  token: string;
  /**
   * What the extension host does when a board panel opens: read the first
   * pages over its live connection (extension/webviews/boardPreload.ts), in
   * parallel with the page's loading. Here the read starts when the page is
   * requested and reaches the fake host as /preload.js; `ready` waits for it
   * at most PRELOAD_WAIT_MS, as the host does.
   */
  preload?: () => Promise<BoardPreload>;
}): Promise<BoardServer> {
  const script = join(options.webviewDir, "board.js");
  const css = join(options.webviewDir, "board.css");
  if (!existsSync(script))
    throw new Error(`${script} is missing: the board webview did not build`);
  const hasCss = existsSync(css);
  const files: Record<string, { path: string; type: string }> = {
    "/board.js": { path: script, type: "text/javascript" },
    "/board.css": { path: css, type: "text/css" },
  };
  let origin = "";
  let pendingPreload: Promise<BoardPreload> | undefined;
  const staticPages = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", origin).pathname;
    // No caching: every page load fetches and compiles the bundle, as a new webview does.
    const headers = { "cache-control": "no-store" };
    const send = async (): Promise<void> => {
      if (path === "/") {
        response.writeHead(200, {
          ...headers,
          "content-type": "text/html; charset=utf-8",
        });
        // The host starts reading the first pages as the panel opens.
        pendingPreload = options.preload?.();
        response.end(
          renderPage(
            origin,
            options.init,
            options.token,
            hasCss,
            pendingPreload !== undefined,
          ),
        );
        return;
      }
      if (path === "/preload.js" && pendingPreload !== undefined) {
        const preload = await pendingPreload;
        response.writeHead(200, {
          ...headers,
          "content-type": "text/javascript",
        });
        response.end(
          `window.__sbPreloaded(${JSON.stringify(preload).replace(/</g, "\\u003c")});`,
        );
        return;
      }
      const staticPage = staticPages.get(path);
      if (staticPage !== undefined) {
        response.writeHead(200, {
          ...headers,
          "content-type": "text/html; charset=utf-8",
        });
        response.end(staticPage);
        return;
      }
      if (path === "/favicon.ico") {
        // Chromium asks for one; a 404 would show up as a console error.
        response.writeHead(204, headers).end();
        return;
      }
      const file = files[path];
      if (file === undefined) {
        response.writeHead(404, headers).end();
        return;
      }
      const body = await readFile(file.path);
      response.writeHead(200, { ...headers, "content-type": file.type });
      response.end(body);
    };
    send().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    serveStatic: (name, html) => {
      const path = `/static/${encodeURIComponent(name)}`;
      staticPages.set(path, html);
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
