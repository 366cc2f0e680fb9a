import { describe, expect, test } from "vitest";
import {
  deriveSiteUrl,
  normalizeUrl,
  resolveTarget,
  sameSettings,
  SettingsError,
  validateBackendUrlInput,
  validateSecretInput,
} from "../../../../extension/connection/settings";

describe("resolveTarget", () => {
  test("no URL: the embedded local backend", () => {
    expect(resolveTarget({ backendUrl: "", siteUrl: "" })).toEqual({
      kind: "local",
    });
    expect(
      resolveTarget({ backendUrl: "   ", siteUrl: "https://ignored" }),
    ).toEqual({
      kind: "local",
    });
  });

  test.each([
    [
      "https://happy-otter-123.convex.cloud",
      "https://happy-otter-123.convex.site",
    ],
    [
      "https://happy-otter-123.convex.cloud/",
      "https://happy-otter-123.convex.site",
    ],
    ["https://x.eu-west-1.convex.cloud", "https://x.eu-west-1.convex.site"],
  ])("Convex cloud %s serves HTTP actions at %s", (backendUrl, siteUrl) => {
    expect(resolveTarget({ backendUrl, siteUrl: "" })).toEqual({
      kind: "remote",
      url: backendUrl.replace(/\/$/, ""),
      siteUrl,
    });
  });

  test("an explicit site URL wins", () => {
    expect(
      resolveTarget({
        backendUrl: "https://a.convex.cloud",
        siteUrl: "https://hooks.example.com/",
      }),
    ).toEqual({
      kind: "remote",
      url: "https://a.convex.cloud",
      siteUrl: "https://hooks.example.com",
    });
  });

  test("self-hosted without a site URL says which setting to set", () => {
    expect(() =>
      resolveTarget({ backendUrl: "http://10.0.0.5:3210", siteUrl: "" }),
    ).toThrow(/switchboard\.siteUrl/);
    expect(
      resolveTarget({
        backendUrl: "http://10.0.0.5:3210",
        siteUrl: "http://10.0.0.5:3211",
      }),
    ).toEqual({
      kind: "remote",
      url: "http://10.0.0.5:3210",
      siteUrl: "http://10.0.0.5:3211",
    });
  });

  test.each(["not a url", "ftp://x.convex.cloud", "javascript:alert(1)"])(
    "refuses %j, naming the setting",
    (backendUrl) => {
      expect(() => resolveTarget({ backendUrl, siteUrl: "" })).toThrow(
        SettingsError,
      );
      expect(() => resolveTarget({ backendUrl, siteUrl: "" })).toThrow(
        /switchboard\.backendUrl/,
      );
    },
  );
});

describe("URLs", () => {
  test("normalizeUrl keeps a path, drops query, hash and trailing slashes", () => {
    expect(normalizeUrl(" https://Self.Example:8443/convex/?x=1#y ", "u")).toBe(
      "https://self.example:8443/convex",
    );
    expect(normalizeUrl("http://127.0.0.1:3210", "u")).toBe(
      "http://127.0.0.1:3210",
    );
  });

  test("deriveSiteUrl only knows Convex cloud", () => {
    expect(deriveSiteUrl("https://a.convex.cloud")).toBe(
      "https://a.convex.site",
    );
    expect(deriveSiteUrl("https://convex.cloud.example.com")).toBeNull();
    expect(deriveSiteUrl("http://127.0.0.1:3210")).toBeNull();
  });

  test("sameSettings ignores surrounding whitespace only", () => {
    expect(
      sameSettings(
        { backendUrl: " a ", siteUrl: "" },
        { backendUrl: "a", siteUrl: " " },
      ),
    ).toBe(true);
    expect(
      sameSettings(
        { backendUrl: "a", siteUrl: "" },
        { backendUrl: "b", siteUrl: "" },
      ),
    ).toBe(false);
  });
});

describe("input validation", () => {
  test("backend URL", () => {
    expect(validateBackendUrlInput("https://a.convex.cloud")).toBeNull();
    expect(validateBackendUrlInput("")).toMatch(/Enter/);
    expect(validateBackendUrlInput("a.convex.cloud")).toMatch(/not a URL/);
  });

  test("secret: a person's token, not an agent's", () => {
    expect(validateSecretInput("sbu_abc")).toBeNull();
    expect(validateSecretInput("sba_abc")).toMatch(/agent token/);
    expect(validateSecretInput("hunter2")).toMatch(/sbu_/);
  });
});
