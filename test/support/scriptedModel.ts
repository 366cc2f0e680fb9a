/**
 * A fake Anthropic Messages API for tests: a local HTTP server that answers
 * `POST /v1/messages` (streaming SSE and plain JSON) from a script, so the real
 * Claude Code CLI or `@anthropic-ai/sdk` can run their agent loops offline.
 *
 *   const model = await ScriptedModel.start([
 *     reply(say("Echoing."), callTool("mcp__probe__echo", { text: "hi" }, "toolu_echo")),
 *     (request) => reply(say(`Got ${findToolResult(request, "toolu_echo")?.text}`)),
 *   ]);
 *   // ANTHROPIC_BASE_URL=model.baseUrl, or new Anthropic({ baseURL: model.baseUrl })
 *   model.assertDone(); // no failures, no unused turns
 *   await model.close();
 *
 * Each script step answers one main-loop request, in order: a static reply or a handler
 * receiving the parsed request. A handler may throw (e.g. a failed expect); the failure
 * is recorded and answered with HTTP 500, like a request after the script ran out, so a
 * test fails with a readable reason instead of hanging. Those 500s carry
 * `x-should-retry: false` so SDK clients give up at once instead of backing off.
 *
 * Side requests (see isClaudeCodeSideRequest) are answered with `sideReply` without
 * consuming the script. Every request is recorded in `requests` for assertions.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
  type MessagesRequest,
  type Reply,
  type ReplyInput,
  estimateTokens,
  isClaudeCodeSideRequest,
  normalizeReply,
  parseMessagesRequest,
  say,
  sseEvents,
} from "./messagesApi";

export * from "./messagesApi";

export type TurnContext = { turn: number; model: ScriptedModel };
export type TurnHandler = (
  request: MessagesRequest,
  context: TurnContext,
) => ReplyInput | Promise<ReplyInput>;
/** One script step: a fixed reply, or a handler that builds it from the request. */
export type Turn = ReplyInput | TurnHandler;

export type RequestKind =
  "turn" | "side" | "count_tokens" | "probe" | "unknown";
export type RecordedRequest = {
  seq: number;
  method: string;
  path: string;
  kind: RequestKind;
  /** Index of the script step that answered (kind "turn" only). */
  turn?: number;
  body?: MessagesRequest;
  reply?: Reply;
  error?: string;
};

export type ScriptedModelOptions = {
  /** Decides which requests bypass the script. Default: isClaudeCodeSideRequest. */
  isSideRequest?: (request: MessagesRequest) => boolean;
  /** Answer to side requests. Default: a short text. */
  sideReply?: (request: MessagesRequest) => ReplyInput;
  /** Receives one line per request, e.g. `console.error` while exploring. */
  log?: (line: string) => void;
};

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  readonly failures: string[] = [];
  private next = 0;

  private constructor(
    private readonly server: Server,
    private readonly script: Turn[],
    private readonly options: ScriptedModelOptions,
    readonly baseUrl: string,
  ) {}

  static async start(
    script: Turn[],
    options: ScriptedModelOptions = {},
  ): Promise<ScriptedModel> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const model = new ScriptedModel(
      server,
      [...script],
      options,
      `http://127.0.0.1:${port}`,
    );
    server.on("request", (req, res) => {
      model.handle(req, res).catch((error: unknown) => {
        model.failures.push(`scripted model crashed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    return model;
  }

  /** Appends steps, e.g. once an earlier step has revealed an id. */
  push(...turns: Turn[]): void {
    this.script.push(...turns);
  }

  get remaining(): number {
    return this.script.length - this.next;
  }

  /** Main-loop requests, in order (one per script step consumed). */
  turns(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === "turn");
  }

  sideRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === "side");
  }

  /** Throws a readable error when a step failed, ran out, or was never used. */
  assertDone(): void {
    const problems = [...this.failures];
    if (this.remaining > 0) {
      problems.push(`${this.remaining} scripted turn(s) were never requested`);
    }
    if (problems.length > 0) {
      throw new Error(
        `Scripted model: ${problems.join("; ")}\n${this.describe()}`,
      );
    }
  }

  /** One line per request: for error messages when a run goes wrong. */
  describe(): string {
    return this.requests
      .map((r) => {
        const user = r.body?.messages.filter((m) => m.role === "user").at(-1);
        const lastText = user ? JSON.stringify(user.content).slice(0, 120) : "";
        const status = r.error ? ` ERROR ${r.error}` : "";
        return `#${r.seq} ${r.method} ${r.path} ${r.kind}${r.turn === undefined ? "" : ` turn ${r.turn}`} ${lastText}${status}`;
      })
      .join("\n");
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const record: RecordedRequest = {
      seq: this.requests.length + 1,
      method,
      path,
      kind: "unknown",
    };
    this.requests.push(record);
    this.options.log?.(`scripted model: ${method} ${req.url ?? ""}`);

    if (
      method === "POST" &&
      (path === "/v1/messages" || path === "/v1/messages/count_tokens")
    ) {
      const body = parseMessagesRequest(raw);
      if (!body) {
        record.error = "request body is not a messages request";
        this.failures.push(`#${record.seq}: ${record.error}`);
        return sendError(res, 400, "invalid_request_error", record.error);
      }
      record.body = body;
      if (path === "/v1/messages/count_tokens") {
        record.kind = "count_tokens";
        return sendJson(res, 200, { input_tokens: estimateTokens(body) });
      }
      return this.answer(record, body, res);
    }
    if (method === "HEAD" || method === "GET") {
      // Connectivity probes (Claude Code sends HEAD /api/hello when nonessential
      // traffic is allowed): a plain 200 says "the API is reachable".
      record.kind = "probe";
      return sendJson(
        res,
        200,
        path === "/v1/models" ? { data: [], has_more: false } : {},
      );
    }
    // Said out loud: a new CLI version calling a new endpoint should be easy to spot.
    record.error = `no fake for ${method} ${path}`;
    process.stderr.write(`scripted model: ${record.error}\n`);
    return sendError(res, 404, "not_found_error", record.error);
  }

  private async answer(
    record: RecordedRequest,
    body: MessagesRequest,
    res: ServerResponse,
  ): Promise<void> {
    const isSide = (this.options.isSideRequest ?? isClaudeCodeSideRequest)(
      body,
    );
    let input: ReplyInput;
    if (isSide) {
      record.kind = "side";
      input = this.options.sideReply?.(body) ?? { content: [say("ok")] };
    } else {
      record.kind = "turn";
      const turn = this.next;
      record.turn = turn;
      const step = this.script[turn];
      if (step === undefined) {
        return this.fail(
          record,
          res,
          `script exhausted: no step for turn ${turn}`,
        );
      }
      this.next += 1;
      try {
        input =
          typeof step === "function"
            ? await step(body, { turn, model: this })
            : step;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return this.fail(record, res, `turn ${turn} handler threw: ${message}`);
      }
    }
    const reply = normalizeReply(input, record.seq);
    record.reply = reply;
    const message = {
      id: `msg_scripted_${record.seq}`,
      type: "message",
      role: "assistant",
      model: body.model,
      content: reply.content,
      stop_reason: reply.stop_reason,
      stop_sequence: null,
      usage: { input_tokens: estimateTokens(body), output_tokens: 1 },
    };
    if (body.stream === true) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
      });
      for (const event of sseEvents(message)) res.write(event);
      res.end();
      return;
    }
    sendJson(res, 200, message);
  }

  private fail(
    record: RecordedRequest,
    res: ServerResponse,
    reason: string,
  ): void {
    record.error = reason;
    this.failures.push(`#${record.seq}: ${reason}`);
    sendError(res, 500, "api_error", `Scripted model: ${reason}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        req.destroy(new Error("request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-should-retry": "false",
  });
  res.end(JSON.stringify({ type: "error", error: { type, message } }));
}
