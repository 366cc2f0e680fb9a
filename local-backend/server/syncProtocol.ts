/**
 * The Convex sync protocol's wire format, as the official client speaks it
 * (node_modules/convex/src/browser/sync/protocol.ts): message shapes,
 * encoding server messages, and the u64 timestamp encoding (base64 of 8
 * little-endian bytes). Parsing client frames lives in syncParse.ts.
 */
import type { JSONValue } from "convex/values";
import type { FunctionOutcome, Timestamp } from "../engine/types";

/** Frames above this are refused (the client never sends anything close). */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export type QueryJournal = string | null;

export type AddQuery = {
  type: "Add";
  queryId: number;
  udfPath: string;
  /** The single argument object (the wire carries it as a one-element array). */
  args: JSONValue;
  journal: QueryJournal | undefined;
  componentPath: string | undefined;
};
export type RemoveQuery = { type: "Remove"; queryId: number };

export type QuerySetModification = {
  type: "ModifyQuerySet";
  baseVersion: number;
  newVersion: number;
  modifications: (AddQuery | RemoveQuery)[];
};

export type FunctionRequest = {
  type: "Mutation" | "Action";
  requestId: number;
  udfPath: string;
  args: JSONValue;
  componentPath: string | undefined;
};

export type AuthenticateMessage =
  | {
      type: "Authenticate";
      tokenType: "User";
      value: string;
      baseVersion: number;
    }
  | {
      type: "Authenticate";
      tokenType: "Admin";
      value: string;
      baseVersion: number;
      impersonating: { [key: string]: JSONValue } | undefined;
    }
  | { type: "Authenticate"; tokenType: "None"; baseVersion: number };

export type ConnectMessage = {
  type: "Connect";
  sessionId: string;
  connectionCount: number;
  lastCloseReason: string | null;
  maxObservedTimestamp: Timestamp | undefined;
  clientTs: number | undefined;
};

export type ClientMessage =
  | ConnectMessage
  | AuthenticateMessage
  | QuerySetModification
  | FunctionRequest
  | { type: "Event"; eventType: string };

export type StateVersion = {
  querySet: number;
  identity: number;
  ts: Timestamp;
};

export type StateModification =
  | {
      type: "QueryUpdated";
      queryId: number;
      value: JSONValue;
      logLines: string[];
      journal: QueryJournal;
    }
  | {
      type: "QueryFailed";
      queryId: number;
      errorMessage: string;
      logLines: string[];
      errorData?: JSONValue;
      journal: QueryJournal;
    }
  | { type: "QueryRemoved"; queryId: number };

export type TransitionMessage = {
  type: "Transition";
  startVersion: StateVersion;
  endVersion: StateVersion;
  modifications: StateModification[];
  clientClockSkew?: number;
  serverTs?: number;
};

type Failure = {
  success: false;
  result: string;
  logLines: string[];
  errorData?: JSONValue;
};
type Success = { success: true; result: JSONValue; logLines: string[] };

export type MutationResult = (Success & { ts: Timestamp }) | Failure;
export type MutationResponseMessage = {
  type: "MutationResponse";
  requestId: number;
} & MutationResult;
export type ActionResponseMessage = {
  type: "ActionResponse";
  requestId: number;
} & (Success | Failure);

export type ServerMessage =
  | TransitionMessage
  | MutationResponseMessage
  | ActionResponseMessage
  | {
      type: "AuthError";
      error: string;
      baseVersion: number;
      authUpdateAttempted: boolean;
    }
  | { type: "FatalError"; error: string }
  | { type: "Ping" };

const U64_MAX = (1n << 64n) - 1n;

export function encodeTs(ts: Timestamp): string {
  if (ts < 0n || ts > U64_MAX)
    throw new RangeError(`timestamp out of u64 range: ${ts}`);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString("base64");
}

/** Decodes a protocol timestamp; undefined when it is not 8 bytes of base64. */
export function decodeTs(encoded: string): Timestamp | undefined {
  if (!/^[A-Za-z0-9+/]{11}=?$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, "base64");
  return bytes.length === 8 ? bytes.readBigUInt64LE() : undefined;
}

/** Serializes a server message, encoding every timestamp the way the client decodes it. */
export function encodeServerMessage(message: ServerMessage): string {
  switch (message.type) {
    case "Transition": {
      const { modifications, ...rest } = message;
      const head = JSON.stringify({
        ...rest,
        startVersion: {
          ...rest.startVersion,
          ts: encodeTs(rest.startVersion.ts),
        },
        endVersion: { ...rest.endVersion, ts: encodeTs(rest.endVersion.ts) },
      });
      const body = modifications.map(encodeModification).join(",");
      return `${head.slice(0, -1)},"modifications":[${body}]}`;
    }
    case "MutationResponse":
      return message.success
        ? JSON.stringify({ ...message, ts: encodeTs(message.ts) })
        : JSON.stringify(message);
    default:
      return JSON.stringify(message);
  }
}

/**
 * A query result shared by many subscribers (the engine's query cache hands every
 * session the same outcome object) is serialized once per result, not once per
 * subscriber: at 100 subscribers that was the server's largest cost per update.
 */
const encodedValues = new WeakMap<object, string>();

function encodeValue(value: JSONValue): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  let json = encodedValues.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    encodedValues.set(value, json);
  }
  return json;
}

function encodeModification(modification: StateModification): string {
  if (modification.type !== "QueryUpdated") return JSON.stringify(modification);
  const { value, ...rest } = modification;
  return `${JSON.stringify(rest).slice(0, -1)},"value":${encodeValue(value)}}`;
}

export const COMPONENTS_UNSUPPORTED =
  "Components are not supported by the local backend";

/** A failed Mutation/ActionResponse body; errorData only for ConvexError. */
export function failureFields(
  message: string,
  errorData?: JSONValue,
  logLines: string[] = [],
): Failure {
  const failure: Failure = { success: false, result: message, logLines };
  if (errorData !== undefined) failure.errorData = errorData;
  return failure;
}

/** The success or failure half of an ActionResponse. */
export function responseFields(outcome: FunctionOutcome): Success | Failure {
  if (outcome.ok) {
    return { success: true, result: outcome.value, logLines: outcome.logLines };
  }
  const { errorMessage, errorData, logLines } = outcome;
  return failureFields(errorMessage, errorData, logLines);
}

/**
 * A query's entry in a Transition. The client turns a present errorData into a
 * ConvexError (remote_query_set.ts), so it is set only when the engine gave one.
 */
export function queryModification(
  queryId: number,
  outcome: FunctionOutcome | undefined,
  journal: QueryJournal,
): StateModification {
  if (outcome === undefined) {
    const errorMessage = COMPONENTS_UNSUPPORTED;
    return {
      type: "QueryFailed",
      queryId,
      errorMessage,
      logLines: [],
      journal,
    };
  }
  if (outcome.ok) {
    const { value, logLines } = outcome;
    return { type: "QueryUpdated", queryId, value, logLines, journal };
  }
  const { errorMessage, logLines, errorData } = outcome;
  return errorData === undefined
    ? { type: "QueryFailed", queryId, errorMessage, logLines, journal }
    : {
        type: "QueryFailed",
        queryId,
        errorMessage,
        logLines,
        errorData,
        journal,
      };
}
