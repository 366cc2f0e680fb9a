/** The webview HTML shell and its Content Security Policy. */
import { describe, expect, test } from "vitest";
import {
  buildCsp,
  connectSources,
  escapeHtml,
  renderWebviewHtml,
  type WebviewHtmlOptions,
} from "../../../extension/webviews/html";
import { createNonce } from "../../../extension/webviews/nonce";

const CSP_SOURCE = "https://*.vscode-cdn.net";
const NONCE = "q1w2e3r4t5y6u7i8o9p0aZ";

const base: WebviewHtmlOptions = {
  cspSource: CSP_SOURCE,
  nonce: NONCE,
  scriptUri:
    "https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/board.js",
  styleUri:
    "https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/board.css",
  title: "Task Board",
  backendOrigin: "http://127.0.0.1:3210",
};

/** The CSP as the browser sees it: the meta tag's content, unescaped. */
function cspOf(html: string): Map<string, string> {
  const content = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(
    html,
  )?.[1];
  if (content === undefined) throw new Error("no CSP meta tag");
  const policy = content.replaceAll("&#39;", "'").replaceAll("&amp;", "&");
  return new Map(
    policy.split(";").map((directive) => {
      const [name = "", ...values] = directive.trim().split(/\s+/);
      return [name, values.join(" ")];
    }),
  );
}

describe("CSP", () => {
  test("exact directives, from default-src 'none'", () => {
    expect(buildCsp(base)).toBe(
      [
        "default-src 'none'",
        `script-src 'nonce-${NONCE}'`,
        `style-src ${CSP_SOURCE} 'nonce-${NONCE}'`,
        `img-src ${CSP_SOURCE} data:`,
        `font-src ${CSP_SOURCE}`,
        "connect-src http://127.0.0.1:3210 ws://127.0.0.1:3210",
        "base-uri 'none'",
        "form-action 'none'",
      ].join("; "),
    );
  });

  test("the rendered meta tag carries the same policy", () => {
    const csp = cspOf(renderWebviewHtml(base));
    expect([...csp.keys()]).toEqual([
      "default-src",
      "script-src",
      "style-src",
      "img-src",
      "font-src",
      "connect-src",
      "base-uri",
      "form-action",
    ]);
    expect(csp.get("default-src")).toBe("'none'");
    expect(csp.get("script-src")).toBe(`'nonce-${NONCE}'`);
  });

  test("no unsafe-eval, no unsafe-inline, no wildcards beyond cspSource", () => {
    const policy = buildCsp(base);
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toMatch(/(^|\s)(\*|https:|http:|ws:|wss:)(\s|;|$)/);
  });

  test.each([
    ["http://127.0.0.1:3210", "http://127.0.0.1:3210 ws://127.0.0.1:3210"],
    ["https://x.convex.cloud", "https://x.convex.cloud wss://x.convex.cloud"],
    ["https://x.convex.cloud/", "https://x.convex.cloud wss://x.convex.cloud"],
    [
      "https://x.convex.cloud/api/path?q=1#f",
      "https://x.convex.cloud wss://x.convex.cloud",
    ],
    [
      "https://self.example:8443",
      "https://self.example:8443 wss://self.example:8443",
    ],
    ["HTTP://LOCALHOST:3210", "http://localhost:3210 ws://localhost:3210"],
  ])("connect-src for %s is exactly %s", (backendOrigin, expected) => {
    expect(
      cspOf(renderWebviewHtml({ ...base, backendOrigin })).get("connect-src"),
    ).toBe(expected);
    expect(connectSources(backendOrigin).join(" ")).toBe(expected);
  });

  test.each([
    "javascript:alert(1)",
    "ws://127.0.0.1:3210",
    "file:///etc/passwd",
    "not a url",
    "",
  ])("refuses backend %j", (backendOrigin) => {
    expect(() => buildCsp({ ...base, backendOrigin })).toThrow(/Backend URL/);
  });

  test.each([
    "short",
    "abc'; script-src *",
    'q1w2e3r4t5y6u7i8o9p0aZ"><x',
    "q1w2e3r4t5y6u7i8o9p0 Z",
  ])("refuses nonce %j", (nonce) => {
    expect(() => buildCsp({ ...base, nonce })).toThrow(/nonce/);
  });

  test.each([
    "https://a; script-src *",
    "'unsafe-inline'",
    "'self' 'unsafe-eval'",
    "https://a  https://b",
    "*",
    "",
  ])("refuses cspSource %j", (cspSource) => {
    expect(() => buildCsp({ ...base, cspSource })).toThrow(/CSP source/);
  });
});

test("takes webview.cspSource as VS Code gives it ('self' and the CDN)", () => {
  const cspSource = "'self' https://*.vscode-cdn.net";
  const csp = buildCsp({ ...base, cspSource });
  expect(csp).toContain(`style-src ${cspSource} 'nonce-${NONCE}'`);
  expect(csp).toContain(`img-src ${cspSource} data:`);
});

describe("HTML", () => {
  test("the nonce is on the script tag and the csp-nonce meta only, and matches the CSP", () => {
    const html = renderWebviewHtml(base);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toContain(`nonce="${NONCE}"`);
    expect(scripts[0]).toContain(`src="${base.scriptUri}"`);
    const withNonce = html.match(/<[a-z]+\b[^>]*\bnonce="[^"]*"[^>]*>/g) ?? [];
    expect(withNonce).toEqual(scripts);
    expect(html).toContain(`<meta property="csp-nonce" content="${NONCE}" />`);
    expect(cspOf(html).get("script-src")).toBe(`'nonce-${NONCE}'`);
  });

  test("no inline script or style, one stylesheet only when given", () => {
    const html = renderWebviewHtml(base);
    expect(html).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle=/);
    expect(html.match(/<link rel="stylesheet"/g)).toHaveLength(1);
    expect(renderWebviewHtml({ ...base, styleUri: undefined })).not.toContain(
      "<link",
    );
  });

  test("the CSP meta tag comes before anything that loads", () => {
    const html = renderWebviewHtml(base);
    const csp = html.indexOf("Content-Security-Policy");
    expect(csp).toBeGreaterThan(0);
    expect(csp).toBeLessThan(html.indexOf("<link"));
    expect(csp).toBeLessThan(html.indexOf("<script"));
  });

  test("a malicious title is escaped", () => {
    const title = `</title><script>alert("x")</script><img src=x onerror='y'>&`;
    const html = renderWebviewHtml({ ...base, title });
    expect(html).toContain(
      "<title>&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;</title>",
    );
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
  });

  test("URIs cannot break out of their attributes", () => {
    const html = renderWebviewHtml({
      ...base,
      scriptUri: `https://x/a.js" onload="alert(1)`,
      styleUri: `https://x/a.css"><script>alert(1)</script>`,
    });
    expect(html).toContain(`src="https://x/a.js&quot; onload=&quot;alert(1)"`);
    expect(html).not.toMatch(/\sonload="/);
    expect(html.match(/<script\b/g)).toHaveLength(1);
  });

  test("escapeHtml covers the five special characters", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
    expect(escapeHtml("plain text")).toBe("plain text");
  });
});

describe("createNonce", () => {
  test("128 random bits in base64url, accepted by the CSP builder", () => {
    const nonce = createNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => buildCsp({ ...base, nonce })).not.toThrow();
  });

  test("never repeats", () => {
    const nonces = new Set(Array.from({ length: 1000 }, createNonce));
    expect(nonces.size).toBe(1000);
  });
});
