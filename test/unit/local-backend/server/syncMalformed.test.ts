/** The sync endpoint under hostile or broken input, driven by a raw `ws` client. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTs } from "../../../../local-backend/server/syncProtocol";
import {
  fn,
  openRawSocket,
  startHarness,
  subscribe,
  waitFor,
  type Harness,
} from "./harness";

let h: Harness;
beforeAll(async () => {
  // Short enough that the Ping test sees one soon; long enough that a loaded machine
  // still moves an 8 MB frame before the heartbeat gives up on the socket (at 50 ms it
  // cut the oversized-frame test's connection with 1006 under CI load).
  h = await startHarness({ heartbeatMs: 1000 });
});
afterAll(async () => {
  await h.close();
});

const open = (path?: string) => openRawSocket(h, path);

const connect = JSON.stringify({
  type: "Connect",
  sessionId: "00000000-0000-4000-8000-000000000000",
  connectionCount: 0,
  lastCloseReason: "InitialConnect",
  clientTs: Date.now(),
});

async function expectFatal(frames: (string | Buffer)[]): Promise<string> {
  const { ws, received } = await open();
  for (const frame of frames)
    ws.send(frame, { binary: Buffer.isBuffer(frame) });
  const { code } = await received.closed;
  expect(code).toBe(1008);
  const fatal = received.messages.find((m) => m.type === "FatalError");
  expect(fatal).toBeDefined();
  return String(fatal?.error);
}

describe("malformed frames", () => {
  it("answers garbage with a FatalError and closes that connection only", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0);

    expect(await expectFatal(["not json at all"])).toMatch(/not valid JSON/);
    expect(await expectFatal(["[1,2,3]"])).toMatch(/JSON object/);
    expect(
      await expectFatal([JSON.stringify({ type: "Connect", sessionId: 5 })]),
    ).toMatch(/sessionId/);
    expect(
      await expectFatal([connect, JSON.stringify({ type: "Teleport" })]),
    ).toMatch(/unknown message type/);
    expect(
      await expectFatal([
        JSON.stringify({
          type: "Mutation",
          requestId: 0,
          udfPath: "x",
          args: [{}],
        }),
      ]),
    ).toMatch(/before Connect/);
    expect(await expectFatal([connect, connect])).toMatch(/twice/);
    expect(
      await expectFatal([
        connect,
        JSON.stringify({
          type: "Mutation",
          requestId: -1,
          udfPath: "x",
          args: [{}],
        }),
      ]),
    ).toMatch(/requestId/);
    expect(
      await expectFatal([
        connect,
        JSON.stringify({
          type: "Action",
          requestId: 1,
          udfPath: "x",
          args: "nope",
        }),
      ]),
    ).toMatch(/args/);
    expect(
      await expectFatal([
        connect,
        JSON.stringify({
          type: "ModifyQuerySet",
          baseVersion: 3,
          newVersion: 4,
          modifications: [],
        }),
      ]),
    ).toMatch(/does not follow/);
    expect(
      await expectFatal([
        connect,
        JSON.stringify({
          type: "Authenticate",
          tokenType: "User",
          value: "x",
          baseVersion: 7,
        }),
      ]),
    ).toMatch(/does not follow/);
    expect(await expectFatal([Buffer.from([1, 2, 3])])).toMatch(/binary/);

    // Everyone else is unaffected.
    await client.mutation(fn.send, { body: "still here" });
    expect(list.latest()?.map((m) => m.body)).toContain("still here");
  });

  it("refuses oversized frames", async () => {
    const big = JSON.stringify({
      type: "Event",
      eventType: "x",
      event: "a".repeat(8 * 1024 * 1024),
    });
    expect(await expectFatal([big])).toMatch(/exceeds/);

    // Beyond the hard cap, `ws` itself cuts the connection (1009: message too big).
    const { ws, received } = await open();
    ws.send("a".repeat(10 * 1024 * 1024));
    expect((await received.closed).code).toBe(1009);
  });

  it("rejects upgrades on other paths", async () => {
    await expect(open("/api/sync")).rejects.toThrow(/404/);
  });
});

describe("raw protocol", () => {
  it("speaks Transition with base64 u64 timestamps and sends Pings", async () => {
    const { ws, received } = await open();
    ws.send(connect);
    ws.send(
      JSON.stringify({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [
          { type: "Add", queryId: 0, udfPath: "counter:get", args: [{}] },
        ],
      }),
    );
    await waitFor(() => received.messages.some((m) => m.type === "Transition"));
    const transition = received.messages.find(
      (m) => m.type === "Transition",
    ) as {
      startVersion: { ts: string; querySet: number; identity: number };
      endVersion: { ts: string; querySet: number; identity: number };
      modifications: unknown[];
    };
    expect(transition.startVersion).toEqual({
      ts: "AAAAAAAAAAA=",
      querySet: 0,
      identity: 0,
    });
    expect(transition.endVersion.querySet).toBe(1);
    expect(decodeTs(transition.endVersion.ts)).toBe(h.engine.latestTs());
    expect(transition.modifications).toEqual([
      {
        type: "QueryUpdated",
        queryId: 0,
        value: 0,
        logLines: [],
        journal: null,
      },
    ]);
    await waitFor(() => received.messages.some((m) => m.type === "Ping"));
    ws.close();
    await received.closed;
  });
});
