/** The deployment URL's HTTP API, driven by the official ConvexHttpClient and by fetch. */
import { ConvexError } from "convex/values";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fn,
  startHarness,
  type AdminAuthCapable,
  type Harness,
} from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const post = (
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(h.servers.url + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("ConvexHttpClient", () => {
  it("runs queries, mutations and actions", async () => {
    const client = h.httpClient();
    const id = await client.mutation(fn.send, { body: "over http" });
    const messages = await client.query(fn.list, {});
    expect(messages.find((m) => m.id === id)?.body).toBe("over http");
    await expect(
      client.action(fn.echo, { value: [1, "two"] }),
    ).resolves.toEqual({
      echoed: { value: [1, "two"] },
      caller: null,
    });
    await expect(client.consistentQuery(fn.counter, {})).resolves.toBe(0);
  });

  it("turns function failures into ConvexErrors with data", async () => {
    const client = h.httpClient();
    for (const run of [
      () => client.mutation(fn.fail, {}),
      () => client.action(fn.failAction, {}),
      () => client.query(fn.boom, {}),
    ]) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConvexError);
      expect((error as ConvexError<{ code: string }>).data.code).toMatch(/_/);
    }
    await expect(
      client.query(fn.list, {}).then(() => client.mutation(fn.fail, {})),
    ).rejects.toMatchObject({
      data: { code: "BAD_INPUT", message: "mutation refused" },
    });
  });

  it("authenticates users and admins", async () => {
    const client = h.httpClient();
    await expect(client.query(fn.whoami, {})).resolves.toBeNull();
    client.setAuth("good-token");
    await expect(client.query(fn.whoami, {})).resolves.toBe(
      "https://issuer.test|user-1",
    );
    client.setAuth("bad-token");
    await expect(client.query(fn.whoami, {})).rejects.toThrow(
      /Could not verify the token/,
    );

    const admin = client as unknown as AdminAuthCapable;
    admin.setAdminAuth("admin-key");
    await expect(client.query(fn.whoami, {})).resolves.toBe("admin");
    admin.setAdminAuth("admin-key", { issuer: "https://other", subject: "u9" });
    await expect(client.query(fn.whoami, {})).resolves.toBe("https://other|u9");
    admin.setAdminAuth("wrong-key");
    await expect(client.query(fn.whoami, {})).rejects.toThrow(/BadAdminKey/);
  });
});

describe("raw endpoints", () => {
  it("serves /health, /version and CORS", async () => {
    const health = await fetch(h.servers.url + "/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: "ok",
      latestTs: String(h.engine.latestTs()),
    });
    expect(health.headers.get("access-control-allow-origin")).toBe("*");
    expect(await (await fetch(h.servers.url + "/version")).text()).toMatch(
      /local-backend/,
    );

    const preflight = await fetch(h.servers.url + "/api/query", {
      method: "OPTIONS",
      headers: {
        Origin: "vscode-webview://abc",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(
      /Authorization/,
    );
  });

  it("supports /api/run and /api/function via the engine's kind lookup", async () => {
    const run = await post("/api/run/counter/increment", {
      args: {},
      format: "json",
    });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({
      status: "success",
      value: expect.any(Number) as number,
    });
    const call = await post("/api/function", { path: "counter:get", args: {} });
    expect(await call.json()).toMatchObject({ status: "success" });
    expect((await post("/api/run/nope/nothing", { args: {} })).status).toBe(
      404,
    );
  });

  it("refuses bad requests without falling over", async () => {
    expect((await post("/api/query", "{not json")).status).toBe(400);
    expect((await post("/api/query", { args: {} })).status).toBe(400);
    expect(
      (await post("/api/query", { path: "messages:list", args: "x" })).status,
    ).toBe(400);
    expect((await post("/api/nowhere", {})).status).toBe(404);
    expect(
      (
        await post("/api/query_at_ts", {
          path: "counter:get",
          args: [{}],
          ts: "1",
        })
      ).status,
    ).toBe(400);
    const huge = await post("/api/mutation", {
      path: "messages:send",
      args: [{ body: "x".repeat(17 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect((await fetch(h.servers.url + "/health")).status).toBe(200);
  });
});
