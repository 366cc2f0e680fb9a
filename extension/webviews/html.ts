/**
 * The HTML shell of every webview: a strict CSP, one stylesheet, one script, a root
 * element. Pure string building (no vscode import) so the policy is unit-tested;
 * the panel passes `webview.cspSource` and `webview.asWebviewUri(...)` strings in.
 */

export interface WebviewHtmlOptions {
  /**
   * `webview.cspSource`: where VS Code serves local resources from, as VS Code
   * gives it (a list such as `'self' https://*.vscode-cdn.net`).
   */
  readonly cspSource: string;
  /** From `createNonce()`, new for every render. */
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri?: string;
  readonly title: string;
  /** The Convex deployment URL the view connects to (http(s); ws(s) is derived). */
  readonly backendOrigin: string;
}

// base64/base64url only, at least 128 bits: anything else could break out of `'nonce-…'`.
const NONCE = /^[A-Za-z0-9+/_-]{22,}={0,2}$/;
// A host source expression: no whitespace, quotes, separators or anything HTML-special.
const HOST_SOURCE = /^[A-Za-z0-9.:/*_+-]+$/;

/** `webview.cspSource`'s sources: host sources and `'self'`, never a keyword that widens. */
function isCspSourceList(value: string): boolean {
  const sources = value.split(" ");
  return (
    sources.length <= 4 &&
    sources.every(
      (source) =>
        source === "'self'" || (HOST_SOURCE.test(source) && source !== "*"),
    )
  );
}

/**
 * The origins the Convex client may reach: its HTTP origin (actions, auth, the
 * initial fetch) and the matching WebSocket origin (the sync protocol). Only the
 * origin is kept, so a path in the configured URL cannot widen or break the policy.
 */
export function connectSources(backendUrl: string): [string, string] {
  let url: URL;
  try {
    url = new URL(backendUrl);
  } catch {
    throw new Error(`Backend URL is not a URL: ${JSON.stringify(backendUrl)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Backend URL must be http or https, not ${url.protocol}`);
  }
  const wsProtocol = url.protocol === "https:" ? "wss:" : "ws:";
  return [url.origin, `${wsProtocol}//${url.host}`];
}

/**
 * The policy, from `default-src 'none'` up:
 * - script-src: the nonce only. No `'unsafe-eval'`, no `'unsafe-inline'`, and not
 *   even cspSource: only the script tag we render runs, not any file under the roots.
 * - style-src: our stylesheet (cspSource) plus the nonce, not `'unsafe-inline'`. The
 *   toolkit (FAST) adopts constructable stylesheets, which CSP does not govern, and
 *   React's `style={…}` writes through the CSSOM, which CSP also allows; the one
 *   `<style>` element FAST creates (a `:focus-visible` probe) takes its nonce from
 *   the `csp-nonce` meta tag we render. VS Code's own default styles are injected
 *   before our meta tag, so this policy does not apply to them.
 * - img-src: bundled images and `data:` (codicon and avatar fallbacks).
 * - connect-src: exactly the backend, over HTTP and WebSocket.
 * - base-uri / form-action: `default-src` does not cover them; 'none' stops an
 *   injected `<base>` from re-pointing relative URLs or a form from posting data out.
 */
export function buildCsp(options: WebviewHtmlOptions): string {
  const { cspSource, nonce } = options;
  if (!NONCE.test(nonce)) throw new Error("Invalid CSP nonce");
  if (!isCspSourceList(cspSource)) {
    throw new Error(`Invalid CSP source ${JSON.stringify(cspSource)}`);
  }
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `connect-src ${connectSources(options.backendOrigin).join(" ")}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const csp = escapeHtml(buildCsp(options));
  const nonce = escapeHtml(options.nonce);
  const style =
    options.styleUri === undefined
      ? ""
      : `\n    <link rel="stylesheet" href="${escapeHtml(options.styleUri)}" />`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="${csp}" />
    <meta property="csp-nonce" content="${nonce}" />
    <meta name="viewport" content="width=device-width, initial-scale=1.0" />${style}
    <title>${escapeHtml(options.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
  </body>
</html>
`;
}
