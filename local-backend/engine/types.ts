/**
 * The contract between the engine (which runs convex/ functions on the local
 * store) and the network layer (sync WebSocket protocol, HTTP API, HTTP
 * actions). Values cross it in Convex's JSON encoding (`convexToJson`), the
 * same encoding the wire protocol uses, so neither side converts twice.
 */
import type { JSONValue } from "convex/values";

/** Commit timestamps: strictly increasing, nanosecond-like integers as Convex uses. */
export type Timestamp = bigint;

/** Who is calling. `tokenIdentifier` is `${issuer}|${subject}` as in Convex. */
export type CallerIdentity =
  | { kind: "anonymous" }
  | { kind: "admin" }
  | {
      kind: "user";
      attributes: Record<string, JSONValue>;
      tokenIdentifier: string;
    };

export type FunctionKind = "query" | "mutation" | "action";

export type FunctionCall = {
  /** "module:function" or "dir/module:function"; "module" alone means its default export. */
  udfPath: string;
  /** The single argument object, Convex-JSON encoded. */
  args: JSONValue;
  identity: CallerIdentity;
};

export type FunctionSuccess = {
  ok: true;
  value: JSONValue;
  logLines: string[];
};
export type FunctionFailure = {
  ok: false;
  errorMessage: string;
  /** Present for ConvexError: its data, Convex-JSON encoded. */
  errorData?: JSONValue;
  logLines: string[];
};
export type FunctionOutcome = FunctionSuccess | FunctionFailure;

/**
 * What a query read: opaque to the network layer, which only hands it back to
 * `Engine.isInvalidatedBy` after each commit.
 */
export interface ReadSet {
  readonly __readSet: unique symbol;
}

export type QueryOutcome = FunctionOutcome & { readSet: ReadSet };

/** Everything one commit changed, opaque to the network layer. */
export interface WriteSet {
  readonly __writeSet: unique symbol;
}

export type Commit = { ts: Timestamp; writes: WriteSet };

export interface Engine {
  /** The newest committed timestamp; queries run now read exactly this snapshot. */
  latestTs(): Timestamp;

  /**
   * Runs several queries against one snapshot, with no commit in between, so a
   * client's whole query set moves to one timestamp atomically.
   */
  runQueries(
    calls: readonly FunctionCall[],
  ): Promise<{ ts: Timestamp; outcomes: QueryOutcome[] }>;

  /**
   * Runs a public mutation as one serializable transaction and resolves after
   * it is durable. With an idempotency key, a retry of an already-applied
   * mutation returns the first outcome and ts instead of running again.
   */
  runMutation(
    call: FunctionCall,
    idempotencyKey?: { sessionId: string; requestId: number },
  ): Promise<FunctionOutcome & { ts: Timestamp }>;

  runAction(call: FunctionCall): Promise<FunctionOutcome>;

  /** Routes a request on the site URL through convex/http.ts. */
  runHttpAction(request: Request): Promise<Response>;

  /** Called after each durable commit, in commit order. Returns an unsubscribe function. */
  onCommit(listener: (commit: Commit) => void): () => void;

  /** Whether a commit wrote anything inside a query's read set. */
  isInvalidatedBy(readSet: ReadSet, writes: WriteSet): boolean;

  /**
   * Verifies a user JWT against convex/auth.config.ts. Throws an Error whose
   * message is fit for the protocol's AuthError when the token is refused.
   */
  authenticate(token: string): Promise<CallerIdentity>;

  /** The admin key that grants `{ kind: "admin" }` (for admin clients and the CLI). */
  isAdminKey(key: string): boolean;
}
