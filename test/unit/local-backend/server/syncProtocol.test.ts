import { describe, expect, it } from "vitest";
import {
  decodeTs,
  encodeServerMessage,
  encodeTs,
} from "../../../../local-backend/server/syncProtocol";
import { parseClientMessage } from "../../../../local-backend/server/syncParse";

describe("u64 timestamps", () => {
  it("encode as base64 of 8 little-endian bytes", () => {
    expect(encodeTs(0n)).toBe("AAAAAAAAAAA=");
    expect(encodeTs(1n)).toBe("AQAAAAAAAAA=");
    expect(encodeTs(0x0102030405060708n)).toBe(
      Buffer.from([8, 7, 6, 5, 4, 3, 2, 1]).toString("base64"),
    );
  });

  it("round-trip across the whole u64 range and reject everything else", () => {
    for (const ts of [0n, 1n, 1_700_000_000_000_000_000n, (1n << 64n) - 1n]) {
      expect(decodeTs(encodeTs(ts))).toBe(ts);
    }
    expect(() => encodeTs(-1n)).toThrow(RangeError);
    expect(() => encodeTs(1n << 64n)).toThrow(RangeError);
    expect(decodeTs("AQAAAAAAAA==")).toBeUndefined(); // 7 bytes
    expect(decodeTs("not base64!!")).toBeUndefined();
  });
});

describe("server messages", () => {
  it("encode every timestamp, and only timestamps", () => {
    const transition = JSON.parse(
      encodeServerMessage({
        type: "Transition",
        startVersion: { querySet: 0, identity: 0, ts: 0n },
        endVersion: { querySet: 1, identity: 0, ts: 5n },
        modifications: [],
      }),
    ) as { endVersion: { ts: string } };
    expect(transition.endVersion.ts).toBe(encodeTs(5n));
    const response = JSON.parse(
      encodeServerMessage({
        type: "MutationResponse",
        requestId: 3,
        success: true,
        result: { $integer: "AQAAAAAAAAA=" },
        ts: 7n,
        logLines: [],
      }),
    ) as { ts: string; result: unknown };
    expect(response).toMatchObject({
      ts: encodeTs(7n),
      result: { $integer: "AQAAAAAAAAA=" },
    });
  });
});

describe("Transitions", () => {
  it("carry every modification intact, a shared result encoded once and reused", () => {
    const shared = [{ _id: "a", body: 'hello "quoted"', n: 1.5 }];
    const modifications = [
      {
        type: "QueryUpdated" as const,
        queryId: 1,
        value: shared,
        logLines: ["log"],
        journal: null,
      },
      {
        type: "QueryFailed" as const,
        queryId: 2,
        errorMessage: "boom",
        logLines: [],
        errorData: { code: "X" },
        journal: null,
      },
      { type: "QueryRemoved" as const, queryId: 3 },
      {
        type: "QueryUpdated" as const,
        queryId: 4,
        value: null,
        logLines: [],
        journal: "j",
      },
    ];
    const message = {
      type: "Transition" as const,
      startVersion: { querySet: 0, identity: 0, ts: 1n },
      endVersion: { querySet: 1, identity: 0, ts: 2n },
      modifications,
      serverTs: 3,
    };
    const first = encodeServerMessage(message);
    expect(JSON.parse(first)).toEqual({
      ...message,
      startVersion: { querySet: 0, identity: 0, ts: encodeTs(1n) },
      endVersion: { querySet: 1, identity: 0, ts: encodeTs(2n) },
    });
    // The encoding of `shared` is cached by identity: a second session's Transition
    // carries the same JSON (and a mutated copy would be a bug the engine never makes).
    const other = {
      ...message,
      startVersion: { ...message.startVersion, querySet: 5 },
    };
    expect(encodeServerMessage(other)).toContain(JSON.stringify(shared));
    expect(
      JSON.parse(encodeServerMessage({ ...message, modifications: [] })),
    ).toMatchObject({
      modifications: [],
    });
  });
});

describe("client messages", () => {
  it("parse what the official client sends", () => {
    const parsed = parseClientMessage(
      JSON.stringify({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [
          {
            type: "Add",
            queryId: 0,
            udfPath: "messages:list",
            args: [{ n: 1 }],
            componentPath: "",
          },
          { type: "Remove", queryId: 4 },
        ],
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      message: {
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [
          {
            type: "Add",
            queryId: 0,
            udfPath: "messages:list",
            args: { n: 1 },
            journal: undefined,
            componentPath: undefined,
          },
          { type: "Remove", queryId: 4 },
        ],
      },
    });
    const connect = parseClientMessage(
      JSON.stringify({
        type: "Connect",
        sessionId: "s",
        connectionCount: 2,
        lastCloseReason: null,
        maxObservedTimestamp: encodeTs(99n),
        clientTs: 1,
      }),
    );
    expect(connect).toMatchObject({
      ok: true,
      message: { maxObservedTimestamp: 99n },
    });
  });

  it("reject malformed ones without throwing", () => {
    const bad = [
      "",
      "null",
      '"str"',
      JSON.stringify({ type: "Add" }),
      JSON.stringify({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [{ type: "Nope" }],
      }),
      JSON.stringify({
        type: "Authenticate",
        tokenType: "Magic",
        baseVersion: 0,
      }),
      JSON.stringify({
        type: "Authenticate",
        tokenType: "User",
        baseVersion: 0,
      }),
      JSON.stringify({
        type: "Mutation",
        requestId: 1.5,
        udfPath: "a:b",
        args: [{}],
      }),
      JSON.stringify({
        type: "Mutation",
        requestId: 1,
        udfPath: "a:b",
        args: [{}, {}],
      }),
      JSON.stringify({
        type: "Connect",
        sessionId: "s",
        connectionCount: 0,
        maxObservedTimestamp: "zz",
      }),
    ];
    for (const text of bad) {
      const result = parseClientMessage(text);
      expect(result.ok).toBe(false);
    }
  });
});
