/**
 * A connection that only writes (no queries), as the MCP server's and the
 * benchmark's clients are: each mutation's response is followed by the
 * Transition that lets the client resolve it, and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTs } from "../../../../local-backend/server/syncProtocol";
import { openRawSocket, startHarness, waitFor, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Version = { querySet: number; identity: number; ts: string };

describe("a connection without queries", () => {
  it("gets each mutation's response, then a Transition reaching its ts", async () => {
    const { ws, received } = await openRawSocket(h);
    ws.send(
      JSON.stringify({
        type: "Connect",
        sessionId: "00000000-0000-4000-8000-00000000000a",
        connectionCount: 0,
        lastCloseReason: "InitialConnect",
      }),
    );
    for (let requestId = 0; requestId < 3; requestId++) {
      ws.send(
        JSON.stringify({
          type: "Mutation",
          requestId,
          udfPath: "messages:send",
          args: [{ body: `hello ${requestId}` }],
        }),
      );
      await waitFor(() => received.messages.length >= 2 * (requestId + 1));
    }
    ws.close();

    const frames = received.messages.filter((m) => m.type !== "Ping");
    expect(frames.map((m) => m.type)).toEqual([
      "MutationResponse",
      "Transition",
      "MutationResponse",
      "Transition",
      "MutationResponse",
      "Transition",
    ]);
    let version: Version = { querySet: 0, identity: 0, ts: "" };
    for (let i = 0; i < frames.length; i += 2) {
      const response = frames[i] as { success: boolean; ts: string };
      const transition = frames[i + 1] as {
        startVersion: Version;
        endVersion: Version;
        modifications: unknown[];
      };
      expect(response.success).toBe(true);
      expect(transition.modifications).toEqual([]);
      if (i > 0) expect(transition.startVersion).toEqual(version);
      const responseTs = decodeTs(response.ts);
      expect(responseTs).toBeDefined();
      expect(decodeTs(transition.endVersion.ts)).toBeGreaterThanOrEqual(
        responseTs ?? Number.POSITIVE_INFINITY,
      );
      version = transition.endVersion;
    }
  });
});
