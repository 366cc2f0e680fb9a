/**
 * The slice of the Anthropic Messages API that the scripted model speaks: lenient
 * request types, reply builders (`reply`, `say`, `callTool`), helpers to inspect
 * requests (`findTool`, `toolResultsIn`, `findToolResult`) and the SSE encoding of a
 * message. Re-exported by scriptedModel.ts; import from there.
 *
 * Request types are deliberately loose: Claude Code sends beta fields and message
 * roles (e.g. "system" messages) that the SDK's typed params do not describe, and a
 * fake must accept whatever the real API accepts.
 */

export type ContentBlock = { type: string; [key: string]: unknown };
export type RequestMessage = { role: string; content: string | ContentBlock[] };
export type ToolDefinition = {
  name: string;
  description?: string;
  input_schema?: unknown;
  [key: string]: unknown;
};
export type MessagesRequest = {
  model: string;
  messages: RequestMessage[];
  system?: string | ContentBlock[];
  tools?: ToolDefinition[];
  max_tokens?: number;
  stream?: boolean;
  [key: string]: unknown;
};

export type StopReason =
  "end_turn" | "tool_use" | "max_tokens" | "stop_sequence";
export type TextBlock = { type: "text"; text: string };
export type ToolUseBlock = {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
};
export type ToolUseDraft = Omit<ToolUseBlock, "id"> & { id?: string };
export type Reply = {
  content: (TextBlock | ToolUseBlock)[];
  stop_reason: StopReason;
};
/** What a script step returns: plain text, or blocks (tool_use ids optional). */
export type ReplyInput =
  string | { content: (TextBlock | ToolUseDraft)[]; stop_reason?: StopReason };

/** A tool_result block found in a request, with its content flattened to text. */
export type FoundToolResult = {
  toolUseId: string;
  isError: boolean;
  text: string;
};

/**
 * Claude Code 2.1.329 sends, besides its main agent loop:
 * - "forks" of the main conversation that reuse its system prompt and tools for cache
 *   hits: they append a plain-text user message after an assistant turn. Observed:
 *   prompt suggestions ("[SUGGESTION MODE: ...]", with --prompt-suggestions); the CLI
 *   has more (memory extraction, away summaries, compaction);
 * - per its code, a quota probe (`max_tokens: 1`, one user message "quota") and
 *   utility calls without tools (session titles, classifiers), often on a smaller model.
 * In a `-p PROMPT` run the main loop's last user message is either the first one (the
 * prompt, possibly followed by a "system" message with environment details) or one
 * carrying tool_result blocks, which is what the fork rule keys on. Sessions with
 * several prompts (stream-json input) need their own rule.
 */
export function isClaudeCodeSideRequest(request: MessagesRequest): boolean {
  if (request.max_tokens === 1) return true;
  if (!Array.isArray(request.tools) || request.tools.length === 0) return true;
  const userMessages = request.messages.filter((m) => m.role === "user");
  const last = userMessages.at(-1);
  if (!last || last === userMessages[0]) return false;
  return toolResultsIn(last).length === 0;
}

/** For plain SDK clients (native agents): every messages request is a script turn. */
export const noSideRequests = (): boolean => false;

/** Parses a request body; undefined when it is not a messages request. */
export function parseMessagesRequest(raw: string): MessagesRequest | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return undefined;
    const candidate = value as Partial<MessagesRequest>;
    if (
      typeof candidate.model !== "string" ||
      !Array.isArray(candidate.messages)
    ) {
      return undefined;
    }
    return candidate as MessagesRequest;
  } catch {
    return undefined;
  }
}

export function say(text: string): TextBlock {
  return { type: "text", text };
}

/** A tool call; pass an id to find its tool_result later (else one is generated). */
export function callTool(
  name: string,
  input: Record<string, unknown>,
  id?: string,
): ToolUseDraft {
  return { type: "tool_use", name, input, id };
}

export function reply(...content: (TextBlock | ToolUseDraft)[]): ReplyInput {
  return { content };
}

/** Fills tool_use ids and derives stop_reason (tool_use when any tool is called). */
export function normalizeReply(input: ReplyInput, seq: number): Reply {
  const draft = typeof input === "string" ? { content: [say(input)] } : input;
  const content = draft.content.map((block, index) =>
    block.type === "tool_use"
      ? { ...block, id: block.id ?? `toolu_scripted_${seq}_${index}` }
      : block,
  );
  const callsTool = content.some((block) => block.type === "tool_use");
  return {
    content,
    stop_reason: draft.stop_reason ?? (callsTool ? "tool_use" : "end_turn"),
  };
}

export function toolNames(request: MessagesRequest): string[] {
  return (request.tools ?? []).map((tool) => tool.name);
}

export function findTool(
  request: MessagesRequest,
  name: string,
): ToolDefinition | undefined {
  return request.tools?.find((tool) => tool.name === name);
}

export function lastMessage(
  request: MessagesRequest,
): RequestMessage | undefined {
  return request.messages[request.messages.length - 1];
}

/** Text of a block list or string, text blocks joined by newlines. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: unknown) =>
      isBlock(block) && block.type === "text" && typeof block.text === "string"
        ? block.text
        : "",
    )
    .filter((text) => text.length > 0)
    .join("\n");
}

export function toolResultsIn(message: RequestMessage): FoundToolResult[] {
  if (typeof message.content === "string") return [];
  return message.content
    .filter((block) => block.type === "tool_result")
    .map((block) => ({
      toolUseId: String(block.tool_use_id),
      isError: block.is_error === true,
      text: textOf(block.content),
    }));
}

/** Every tool_result in the conversation, oldest first. */
export function toolResults(request: MessagesRequest): FoundToolResult[] {
  return request.messages.flatMap(toolResultsIn);
}

export function findToolResult(
  request: MessagesRequest,
  toolUseId: string,
): FoundToolResult | undefined {
  return toolResults(request).find((result) => result.toolUseId === toolUseId);
}

/** A rough count (4 characters per token) so usage and count_tokens look plausible. */
export function estimateTokens(request: MessagesRequest): number {
  const size =
    JSON.stringify(request.messages).length +
    JSON.stringify(request.system ?? "").length;
  return Math.max(1, Math.ceil(size / 4));
}

type Message = {
  id: string;
  model: string;
  content: Reply["content"];
  stop_reason: StopReason;
  usage: { input_tokens: number; output_tokens: number };
};

/**
 * The SSE events of a streamed message. Text and tool input are split into two
 * deltas each so clients really have to accumulate partial text and partial JSON.
 */
export function sseEvents(message: Message): string[] {
  const events: string[] = [];
  const emit = (type: string, data: Record<string, unknown>): void => {
    events.push(
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`,
    );
  };
  emit("message_start", {
    message: {
      ...message,
      content: [],
      stop_reason: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      emit("content_block_start", {
        index,
        content_block: { type: "text", text: "" },
      });
      for (const part of halves(block.text)) {
        emit("content_block_delta", {
          index,
          delta: { type: "text_delta", text: part },
        });
      }
    } else {
      emit("content_block_start", {
        index,
        content_block: {
          type: "tool_use",
          id: block.id,
          name: block.name,
          input: {},
        },
      });
      for (const part of halves(JSON.stringify(block.input))) {
        emit("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: part },
        });
      }
    }
    emit("content_block_stop", { index });
  });
  emit("message_delta", {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: message.usage.output_tokens },
  });
  emit("message_stop", {});
  return events;
}

function halves(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.floor(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

function isBlock(value: unknown): value is ContentBlock {
  return typeof value === "object" && value !== null && "type" in value;
}
