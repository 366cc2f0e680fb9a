/**
 * One WebSocket connection speaking the sync protocol. Each connection is a
 * fresh session: on reconnect the client sends Connect again (same sessionId),
 * resubscribes its whole query set from version 0 and resends its unfinished
 * mutations (client.ts onOpen, request_manager.ts restart); the engine's
 * idempotency key { sessionId, requestId } makes those apply once.
 *
 * Inbound messages are handled strictly in order (an Authenticate finishes
 * before the next message is looked at, so later requests use the new
 * identity). Mutations run one at a time in arrival order; actions run
 * concurrently. Query results flow through `QuerySync`.
 */
import type {
  CallerIdentity,
  Engine,
  FunctionCall,
  FunctionOutcome,
  Timestamp,
} from "../engine/types";
import { adminIdentity, errorMessage } from "./callerAuth";
import type { Logger } from "./log";
import { ProtocolError, QuerySync } from "./querySync";
import { parseClientMessage } from "./syncParse";
import {
  COMPONENTS_UNSUPPORTED,
  failureFields,
  responseFields,
  type AuthenticateMessage,
  type ClientMessage,
  type FunctionRequest,
  type MutationResult,
  type ServerMessage,
} from "./syncProtocol";

export interface SessionTransport {
  send(message: ServerMessage): void;
  /**
   * Holds this connection's writes until the event loop's next check phase,
   * so what is sent meanwhile leaves in one syscall.
   */
  holdForTurn?(): void;
  /** Ends the connection; the server then calls `dispose`. */
  close(code: number, reason: string): void;
}

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1008;
/** The client reconnects after a short backoff when the reason starts with "InternalServerError". */
export const CLOSE_INTERNAL_ERROR = 1011;

type Connected = {
  sessionId: string;
  querySync: QuerySync;
  unsubscribe: () => void;
  clockSkew: number | undefined;
};

export class SyncSession {
  private connected: Connected | undefined;
  private identity: CallerIdentity = { kind: "anonymous" };
  private inbound: Promise<void> = Promise.resolve();
  private mutations: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly transport: SessionTransport,
    private readonly log: Logger,
  ) {}

  /** Takes one text frame; never throws. */
  receive(text: string): void {
    if (this.closed) return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.fatal(parsed.error);
      return;
    }
    const message = parsed.message;
    this.inbound = this.inbound
      .then(() => this.handle(message))
      .catch((error: unknown) => this.fail(error));
  }

  /** A protocol-level keepalive; the client resets its inactivity timer on any message. */
  ping(): void {
    if (!this.closed) this.transport.send({ type: "Ping" });
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.connected?.querySync.close();
    this.connected?.unsubscribe();
  }

  /** Rejects the client's input: FatalError makes the official client stop for good. */
  fatal(error: string): void {
    if (this.closed) return;
    this.transport.send({ type: "FatalError", error });
    this.transport.close(CLOSE_PROTOCOL_ERROR, "Protocol error");
    this.dispose();
  }

  private fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.fatal(error.message);
      return;
    }
    if (this.closed) return;
    this.log("sync session failed", error);
    this.transport.close(CLOSE_INTERNAL_ERROR, "InternalServerError");
    this.dispose();
  }

  private async handle(message: ClientMessage): Promise<void> {
    if (this.closed) return;
    if (message.type === "Connect") {
      if (this.connected)
        throw new ProtocolError("Connect sent twice on one connection");
      const querySync = new QuerySync(
        this.engine,
        (transition) =>
          this.transport.send({ ...transition, ...this.clockFields() }),
        (error) => this.fail(error),
      );
      const unsubscribe = this.engine.onCommit((commit) =>
        querySync.addCommit(commit),
      );
      const clockSkew =
        message.clientTs === undefined
          ? undefined
          : Date.now() - message.clientTs;
      this.connected = {
        sessionId: message.sessionId,
        querySync,
        unsubscribe,
        clockSkew,
      };
      return;
    }
    const connected = this.connected;
    if (!connected)
      throw new ProtocolError(`${message.type} sent before Connect`);
    switch (message.type) {
      case "Authenticate":
        return this.authenticate(connected, message);
      case "ModifyQuerySet":
        connected.querySync.modifyQuerySet(message);
        return;
      case "Mutation": {
        const call = this.callFor(message);
        const key = {
          sessionId: connected.sessionId,
          requestId: message.requestId,
        };
        this.mutations = this.mutations
          .then(() => this.mutate(connected, message, call, key))
          .catch((error: unknown) => this.fail(error));
        return;
      }
      case "Action":
        // Fire-and-forget: actions run concurrently; failures end up in `fail`.
        void this.act(message, this.callFor(message)).catch((error: unknown) =>
          this.fail(error),
        );
        return;
      case "Event":
        return;
    }
  }

  private async authenticate(
    connected: Connected,
    message: AuthenticateMessage,
  ): Promise<void> {
    const { querySync } = connected;
    querySync.checkIdentityBase(message.baseVersion);
    let identity: CallerIdentity | undefined;
    let refusal = "";
    if (message.tokenType === "None") {
      identity = { kind: "anonymous" };
    } else if (message.tokenType === "Admin") {
      identity = adminIdentity(
        this.engine,
        message.value,
        message.impersonating,
      );
      refusal = "The provided admin key was invalid";
    } else {
      try {
        identity = await this.engine.authenticate(message.value);
      } catch (error) {
        refusal = errorMessage(error);
      }
    }
    if (this.closed) return;
    if (identity === undefined) {
      // The client fetches a fresh token and reconnects (authentication_manager.ts); closing
      // here also keeps both sides' identity versions from drifting apart.
      this.transport.send({
        type: "AuthError",
        error: refusal,
        baseVersion: message.baseVersion,
        authUpdateAttempted: true,
      });
      this.transport.close(CLOSE_NORMAL, "AuthError");
      this.dispose();
      return;
    }
    this.identity = identity;
    querySync.setIdentity(message.baseVersion, identity);
  }

  private callFor(message: FunctionRequest): FunctionCall {
    const { udfPath, args } = message;
    return { udfPath, args, identity: this.identity };
  }

  private async mutate(
    connected: Connected,
    message: FunctionRequest,
    call: FunctionCall,
    key: { sessionId: string; requestId: number },
  ): Promise<void> {
    const { requestId } = message;
    const reply = (fields: MutationResult) =>
      this.transport.send({ type: "MutationResponse", requestId, ...fields });
    if (this.closed) return;
    if (message.componentPath !== undefined) {
      return reply(failureFields(COMPONENTS_UNSUPPORTED));
    }
    let outcome: FunctionOutcome & { ts: Timestamp };
    try {
      outcome = await this.engine.runMutation(call, key);
    } catch (error) {
      this.log(`mutation ${call.udfPath} failed in the engine`, error);
      if (!this.closed) reply(failureFields(INTERNAL_FAILURE));
      return;
    }
    if (this.closed) return;
    if (!outcome.ok) {
      const { errorMessage, errorData, logLines } = outcome;
      return reply(failureFields(errorMessage, errorData, logLines));
    }
    const { value: result, logLines, ts } = outcome;
    // The client resolves the mutation only on a Transition at >= ts received
    // after the response, so the response waits for it: the Transition's pass
    // is scheduled first (requireTs), the flush of the held writes after it,
    // and a connection without queries gets both frames in one write.
    connected.querySync.requireTs(ts);
    this.transport.holdForTurn?.();
    reply({ success: true, result, logLines, ts });
  }

  private async act(
    message: FunctionRequest,
    call: FunctionCall,
  ): Promise<void> {
    const { requestId } = message;
    let fields;
    try {
      fields =
        message.componentPath !== undefined
          ? failureFields(COMPONENTS_UNSUPPORTED)
          : responseFields(await this.engine.runAction(call));
    } catch (error) {
      this.log(`action ${call.udfPath} failed in the engine`, error);
      fields = failureFields(INTERNAL_FAILURE);
    }
    if (!this.closed) {
      this.transport.send({ type: "ActionResponse", requestId, ...fields });
    }
  }

  private clockFields(): { serverTs: number; clientClockSkew?: number } {
    // serverTs is in nanoseconds (web_socket_manager.ts divides it by 1e6).
    const serverTs = Date.now() * 1e6;
    const skew = this.connected?.clockSkew;
    return skew === undefined
      ? { serverTs }
      : { serverTs, clientClockSkew: skew };
  }
}

const INTERNAL_FAILURE =
  "Server Error: the local backend failed to run this function";
