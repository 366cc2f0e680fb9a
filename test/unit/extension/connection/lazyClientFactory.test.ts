/**
 * The Convex client is not part of activation: dist/extension.js leaves it (and
 * `ws`) to dist/convexClient.js, which lazyClientFactory reads on the first
 * connection, once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { lazyClientFactory } from "../../../../extension/connection/client";
import { silentLogger } from "../../../../extension/util/log";

const ROOT = resolve(__dirname, "../../../..");
const dir = mkdtempSync(join(tmpdir(), "sb-lazy-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in bundle that records when it is loaded and what it is asked for. */
function fakeBundle(name: string): string {
  const path = join(dir, `${name}.js`);
  writeFileSync(
    path,
    `globalThis.__sbLoads = (globalThis.__sbLoads ?? 0) + 1;
exports.convexClientFactory = (log) => (url) => ({ url, log });`,
  );
  return path;
}

type Loads = { __sbLoads?: number };

describe("lazyClientFactory", () => {
  test("reads the bundle on the first client, once, and hands it the log and the URL", () => {
    const loads = globalThis as Loads;
    loads.__sbLoads = 0;
    const factory = lazyClientFactory(fakeBundle("once"), silentLogger);
    expect(loads.__sbLoads).toBe(0);
    const first = factory("http://127.0.0.1:3210") as unknown as {
      url: string;
      log: unknown;
    };
    expect(first).toEqual({ url: "http://127.0.0.1:3210", log: silentLogger });
    factory("http://127.0.0.1:3211");
    expect(loads.__sbLoads).toBe(1);
  });

  test("a missing bundle fails the connection attempt with the path, not activation", () => {
    const missing = join(dir, "missing.js");
    const factory = lazyClientFactory(missing, silentLogger);
    expect(() => factory("http://127.0.0.1:3210")).toThrow(missing);
  });
});

describe("the built bundles (npm test builds first)", () => {
  test("dist/extension.js has neither the Convex client nor ws; dist/convexClient.js has both", () => {
    const extension = readFileSync(join(ROOT, "dist", "extension.js"), "utf8");
    const client = readFileSync(join(ROOT, "dist", "convexClient.js"), "utf8");
    // An option only ConvexClient reads, and a header only ws writes.
    for (const marker of [
      "skipConvexDeploymentUrlCheck",
      "Sec-WebSocket-Accept",
    ]) {
      expect(extension).not.toContain(marker);
      expect(client).toContain(marker);
    }
    expect(extension).toContain("convexClient.js");
  });
});
