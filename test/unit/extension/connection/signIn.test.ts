import { describe, expect, test } from "vitest";
import {
  signIn,
  SignInRefusedError,
  windowExchange,
  type Exchange,
} from "../../../../extension/connection/signIn";
import {
  BackendUnavailableError,
  NotConfiguredError,
} from "../../../../mcp-server/errors";
import { exchanged } from "./fakes";

const refused: Exchange = () =>
  Promise.reject(
    new NotConfiguredError(
      "SWITCHBOARD_TOKEN was refused by x: restart this MCP server.",
    ),
  );

describe("windowExchange", () => {
  test("a refusal is re-worded for the window (remote)", async () => {
    const promise = windowExchange({ backend: "remote" }, refused)(
      "https://a.convex.site",
      "sbu_x",
      "w",
    );
    await expect(promise).rejects.toBeInstanceOf(SignInRefusedError);
    await expect(promise).rejects.toThrow(
      "https://a.convex.site/auth/token refused the stored sign-in token (unknown, revoked or not a Switchboard token). Run “Switchboard: Switch Backend” and enter a new one.",
    );
  });

  test("a refusal by the local backend names its owner-token file", async () => {
    await expect(
      windowExchange({ backend: "local", dataDir: "/d" }, refused)(
        "http://127.0.0.1:2",
        "sbu_x",
        "w",
      ),
    ).rejects.toThrow("/d/owner-token");
  });

  test("unreachable stays what it is (retryable)", async () => {
    const unreachable: Exchange = () =>
      Promise.reject(new BackendUnavailableError("Could not reach"));
    await expect(
      windowExchange({ backend: "remote" }, unreachable)("s", "sbu_x", "w"),
    ).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  test("agent tokens are refused; people's pass", async () => {
    const agent: Exchange = (siteUrl) =>
      Promise.resolve(exchanged(siteUrl, "agent"));
    await expect(
      windowExchange({ backend: "remote" }, agent)("s", "sba_x", "w"),
    ).rejects.toThrow(/belongs to an agent/);
    const user: Exchange = (siteUrl) => Promise.resolve(exchanged(siteUrl));
    expect(
      (await windowExchange({ backend: "remote" }, user)("s", "sbu_x", "w"))
        .token,
    ).toBe("jwt@s");
  });

  test("the real exchange is used by default (refusal from a real HTTP answer)", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((_request, response) => {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "Unknown or revoked token." }));
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    const address = server.address();
    const port =
      typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(
        windowExchange({ backend: "remote" })(
          `http://127.0.0.1:${port}`,
          "sbu_x",
          "w",
        ),
      ).rejects.toThrow(/refused the stored sign-in token/);
    } finally {
      server.close();
    }
  });
});

describe("signIn", () => {
  test("caches the JWT and exchanges again when forced", async () => {
    let calls = 0;
    const exchange: Exchange = (siteUrl) => {
      calls++;
      return Promise.resolve({ ...exchanged(siteUrl), token: `jwt-${calls}` });
    };
    const tokens = await signIn(exchange, "s", "sbu_x", "w");
    expect(await tokens.token(false)).toBe("jwt-1");
    expect(await tokens.token(false)).toBe("jwt-1");
    expect(await tokens.token(true)).toBe("jwt-2");
    expect(calls).toBe(2);
  });
});
