/**
 * Parsing and validating client frames (the shapes in the official client's
 * sync/protocol.ts). Never throws: a malformed frame yields
 * `{ ok: false, error }`, which the session answers with a FatalError.
 */
import type { JSONValue } from "convex/values";
import {
  MAX_MESSAGE_BYTES,
  decodeTs,
  type AddQuery,
  type AuthenticateMessage,
  type ClientMessage,
  type QueryJournal,
  type RemoveQuery,
} from "./syncProtocol";

export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; error: string };

/** Signals a malformed field; caught inside `parseClientMessage` only. */
class Malformed extends Error {}

type Obj = { [key: string]: unknown };

function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function str(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new Malformed(`${key} must be a string`);
  return v;
}
function optStr(o: Obj, key: string): string | undefined {
  return o[key] === undefined || o[key] === null ? undefined : str(o, key);
}
/** The root component is spelled as an absent or empty componentPath. */
function componentOf(o: Obj): string | undefined {
  const path = optStr(o, "componentPath");
  return path === "" ? undefined : path;
}
function uint(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new Malformed(`${key} must be a nonnegative integer`);
  }
  return v;
}
/** Convex passes the argument object as a one-element array. */
function argsOf(o: Obj): JSONValue {
  const args = o.args;
  if (!Array.isArray(args) || args.length !== 1 || !isObject(args[0])) {
    throw new Malformed("args must be an array holding one object");
  }
  return args[0] as JSONValue;
}
function journalOf(o: Obj): QueryJournal | undefined {
  const j = o.journal;
  if (j === undefined || j === null || typeof j === "string") return j;
  throw new Malformed("journal must be a string or null");
}

function parseModification(m: unknown): AddQuery | RemoveQuery {
  if (!isObject(m)) throw new Malformed("modification must be an object");
  if (m.type === "Remove")
    return { type: "Remove", queryId: uint(m, "queryId") };
  if (m.type !== "Add")
    throw new Malformed("modification type must be Add or Remove");
  return {
    type: "Add",
    queryId: uint(m, "queryId"),
    udfPath: str(m, "udfPath"),
    args: argsOf(m),
    journal: journalOf(m),
    componentPath: componentOf(m),
  };
}

function parseAuthenticate(o: Obj): AuthenticateMessage {
  const baseVersion = uint(o, "baseVersion");
  switch (o.tokenType) {
    case "None":
      return { type: "Authenticate", tokenType: "None", baseVersion };
    case "User":
      return {
        type: "Authenticate",
        tokenType: "User",
        value: str(o, "value"),
        baseVersion,
      };
    case "Admin": {
      const imp = o.impersonating;
      if (imp !== undefined && imp !== null && !isObject(imp)) {
        throw new Malformed("impersonating must be an object");
      }
      const impersonating = isObject(imp)
        ? (imp as { [key: string]: JSONValue })
        : undefined;
      return {
        type: "Authenticate",
        tokenType: "Admin",
        value: str(o, "value"),
        baseVersion,
        impersonating,
      };
    }
    default:
      throw new Malformed("tokenType must be User, Admin or None");
  }
}

function parseObject(o: Obj): ClientMessage {
  switch (o.type) {
    case "Connect": {
      const encodedTs = optStr(o, "maxObservedTimestamp");
      const maxObservedTimestamp =
        encodedTs === undefined ? undefined : decodeTs(encodedTs);
      if (encodedTs !== undefined && maxObservedTimestamp === undefined) {
        throw new Malformed("maxObservedTimestamp must be a base64 u64");
      }
      const clientTs = o.clientTs;
      return {
        type: "Connect",
        sessionId: str(o, "sessionId"),
        connectionCount: uint(o, "connectionCount"),
        lastCloseReason: optStr(o, "lastCloseReason") ?? null,
        maxObservedTimestamp,
        clientTs:
          typeof clientTs === "number" && Number.isFinite(clientTs)
            ? clientTs
            : undefined,
      };
    }
    case "Authenticate":
      return parseAuthenticate(o);
    case "ModifyQuerySet": {
      if (!Array.isArray(o.modifications))
        throw new Malformed("modifications must be an array");
      return {
        type: "ModifyQuerySet",
        baseVersion: uint(o, "baseVersion"),
        newVersion: uint(o, "newVersion"),
        modifications: o.modifications.map(parseModification),
      };
    }
    case "Mutation":
    case "Action":
      return {
        type: o.type,
        requestId: uint(o, "requestId"),
        udfPath: str(o, "udfPath"),
        args: argsOf(o),
        componentPath: componentOf(o),
      };
    case "Event":
      return { type: "Event", eventType: str(o, "eventType") };
    default:
      throw new Malformed(
        typeof o.type === "string"
          ? `unknown message type ${o.type.slice(0, 64)}`
          : "missing message type",
      );
  }
}

/** Parses one text frame from a client; never throws. */
export function parseClientMessage(text: string): ParseResult {
  if (Buffer.byteLength(text, "utf8") > MAX_MESSAGE_BYTES) {
    return { ok: false, error: `message exceeds ${MAX_MESSAGE_BYTES} bytes` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "message is not valid JSON" };
  }
  if (!isObject(raw))
    return { ok: false, error: "message must be a JSON object" };
  try {
    return { ok: true, message: parseObject(raw) };
  } catch (e) {
    if (e instanceof Malformed)
      return {
        ok: false,
        error: `malformed ${String(raw.type)}: ${e.message}`,
      };
    throw e;
  }
}
