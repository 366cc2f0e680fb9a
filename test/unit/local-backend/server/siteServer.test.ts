/** The site URL: HTTP actions through engine.runHttpAction. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe("site server", () => {
  it("routes GET with response headers", async () => {
    const res = await fetch(h.servers.siteUrl + "/hello");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route")).toBe("hello");
    expect(await res.text()).toBe("hello");
  });

  it("passes POST bodies, headers and query strings, and returns status and cookies", async () => {
    const res = await fetch(h.servers.siteUrl + "/echo?q=42", {
      method: "POST",
      headers: { "x-test": "yes", "content-type": "text/plain" },
      body: "payload ✓",
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    const echoed = (await res.json()) as {
      body: string;
      header: string;
      query: string;
      url: string;
    };
    expect(echoed).toMatchObject({
      body: "payload ✓",
      header: "yes",
      query: "42",
    });
    expect(echoed.url).toBe(`${h.servers.siteUrl}/echo?q=42`);
  });

  it("streams response bodies", async () => {
    const res = await fetch(h.servers.siteUrl + "/stream");
    expect(await res.text()).toBe("one,two,three");
  });

  it("answers a throwing handler with a 500 and keeps serving", async () => {
    const res = await fetch(h.servers.siteUrl + "/boom");
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Internal server error");
    expect(h.logs.some((line) => line.includes("handler exploded"))).toBe(true);
    expect((await fetch(h.servers.siteUrl + "/missing")).status).toBe(404);
    expect((await fetch(h.servers.siteUrl + "/hello")).status).toBe(200);
  });
});
