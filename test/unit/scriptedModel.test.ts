/**
 * The scripted model against the official @anthropic-ai/sdk client: what native agents
 * will use. If the SDK can parse it, streaming and plain, the wire format is right.
 */
import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterEach, expect, test } from "vitest";
import {
  callTool,
  findToolResult,
  isClaudeCodeSideRequest,
  noSideRequests,
  reply,
  say,
  ScriptedModel,
  type MessagesRequest,
  type Turn,
} from "../support/scriptedModel";

const MODEL = "claude-test-model";
const weatherTool = {
  name: "get_weather",
  description: "Weather for a city.",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};

let model: ScriptedModel | undefined;

afterEach(async () => {
  await model?.close();
  model = undefined;
});

async function client(script: Turn[]): Promise<Anthropic> {
  // Plain SDK callers send requests without tools, which Claude Code's rule would
  // treat as side requests.
  model = await ScriptedModel.start(script, { isSideRequest: noSideRequests });
  return new Anthropic({
    baseURL: model.baseUrl,
    apiKey: "test",
    maxRetries: 0,
    timeout: 10_000,
  });
}

test("non-streaming: the SDK parses a text reply and the request is recorded", async () => {
  const anthropic = await client(["Hello there."]);

  const message = await anthropic.messages.create({
    model: MODEL,
    max_tokens: 100,
    system: "Be brief.",
    messages: [{ role: "user", content: "Hi" }],
  });

  expect(message).toMatchObject({
    role: "assistant",
    model: MODEL,
    stop_reason: "end_turn",
    content: [{ type: "text", text: "Hello there." }],
  });
  expect(message.usage.input_tokens).toBeGreaterThan(0);
  const [recorded] = model?.turns() ?? [];
  expect(recorded?.body).toMatchObject({
    model: MODEL,
    system: "Be brief.",
    messages: [{ role: "user", content: "Hi" }],
  });
  model?.assertDone();
});

test("streaming: messages.stream accumulates text and tool input deltas", async () => {
  const anthropic = await client([
    reply(
      say("Checking the weather."),
      callTool("get_weather", { city: "Paris", days: [1, 2] }, "toolu_w"),
    ),
  ]);

  const stream = anthropic.messages.stream({
    model: MODEL,
    max_tokens: 100,
    tools: [weatherTool],
    messages: [{ role: "user", content: "Weather in Paris?" }],
  });
  const deltas: string[] = [];
  stream.on("text", (text) => deltas.push(text));
  const message = await stream.finalMessage();

  expect(deltas.length).toBeGreaterThan(1);
  expect(message.stop_reason).toBe("tool_use");
  expect(message.content).toEqual([
    { type: "text", text: "Checking the weather." },
    {
      type: "tool_use",
      id: "toolu_w",
      name: "get_weather",
      input: { city: "Paris", days: [1, 2] },
    },
  ]);
  model?.assertDone();
});

test("tool_use round trip: the handler sees the tool and its result", async () => {
  const anthropic = await client([
    (request) => {
      expect(request.tools?.map((t) => t.name)).toEqual(["get_weather"]);
      return reply(callTool("get_weather", { city: "Oslo" }));
    },
    (request) => {
      const [, assistant] = request.messages;
      const id = Array.isArray(assistant?.content)
        ? String(assistant.content[0]?.id)
        : "";
      const result = findToolResult(request, id);
      return `It is ${result?.text ?? "unknown"}${result?.isError ? " (error)" : ""}.`;
    },
  ]);
  const params = {
    model: MODEL,
    max_tokens: 100,
    tools: [weatherTool],
  };
  const question: Anthropic.MessageParam = {
    role: "user",
    content: "Weather in Oslo?",
  };

  const first = await anthropic.messages.create({
    ...params,
    messages: [question],
  });
  const call = first.content.find((block) => block.type === "tool_use");
  expect(call).toMatchObject({ name: "get_weather", input: { city: "Oslo" } });
  expect(call?.id).toMatch(/^toolu_/);

  const second = await anthropic.messages.create({
    ...params,
    messages: [
      question,
      { role: "assistant", content: first.content },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: call?.id ?? "",
            content: "-3°C",
            is_error: true,
          },
        ],
      },
    ],
  });

  expect(second.content).toEqual([
    { type: "text", text: "It is -3°C (error)." },
  ]);
  expect(model?.turns().map((t) => t.reply?.stop_reason)).toEqual([
    "tool_use",
    "end_turn",
  ]);
  model?.assertDone();
});

test("an exhausted script answers 500 with a readable reason, once, and records it", async () => {
  const anthropic = await client(["Only answer."]);
  const ask = (): Promise<Anthropic.Message> =>
    anthropic.messages.create({
      model: MODEL,
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    });
  await ask();

  const error = await ask().then(
    () => undefined,
    (reason: unknown) => reason,
  );

  expect(error).toBeInstanceOf(APIError);
  expect((error as APIError).status).toBe(500);
  expect((error as APIError).message).toContain(
    "script exhausted: no step for turn 1",
  );
  expect(model?.failures).toEqual(["#2: script exhausted: no step for turn 1"]);
  expect(() => model?.assertDone()).toThrow(/script exhausted/);
});

test("a throwing handler fails that request instead of hanging", async () => {
  const anthropic = await client([
    () => {
      throw new Error("expected a tool named deploy");
    },
  ]);

  await expect(
    anthropic.messages.create({
      model: MODEL,
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    }),
  ).rejects.toThrow(/turn 0 handler threw: expected a tool named deploy/);
  expect(model?.failures).toHaveLength(1);
});

test("count_tokens and probes are answered without consuming the script", async () => {
  const anthropic = await client(["Unused."]);

  const count = await anthropic.messages.countTokens({
    model: MODEL,
    messages: [{ role: "user", content: "How long is this?" }],
  });
  const probe = await fetch(`${model?.baseUrl}/api/hello`, { method: "HEAD" });

  expect(count.input_tokens).toBeGreaterThan(0);
  expect(probe.status).toBe(200);
  expect(model?.requests.map((r) => r.kind)).toEqual(["count_tokens", "probe"]);
  expect(model?.remaining).toBe(1);
});

test("Claude Code side requests are told apart from its main loop", () => {
  const tools = [{ name: "Bash" }];
  const prompt = { role: "user", content: "Do it." };
  const toolUse = {
    role: "assistant",
    content: [{ type: "tool_use", id: "t1", name: "Bash", input: {} }],
  };
  const toolResult = {
    role: "user",
    content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }],
  };
  const request = (
    messages: MessagesRequest["messages"],
    extra: Partial<MessagesRequest> = {},
  ): MessagesRequest => ({
    model: MODEL,
    max_tokens: 1000,
    tools,
    messages,
    ...extra,
  });

  expect(isClaudeCodeSideRequest(request([prompt]))).toBe(false);
  // Claude Code 2.1 puts environment details in a "system" message after the prompt.
  expect(
    isClaudeCodeSideRequest(
      request([prompt, { role: "system", content: "env" }]),
    ),
  ).toBe(false);
  expect(isClaudeCodeSideRequest(request([prompt, toolUse, toolResult]))).toBe(
    false,
  );
  expect(
    isClaudeCodeSideRequest(
      request([{ role: "user", content: "quota" }], { max_tokens: 1 }),
    ),
  ).toBe(true);
  expect(isClaudeCodeSideRequest(request([prompt], { tools: [] }))).toBe(true);
  const fork = [
    prompt,
    toolUse,
    toolResult,
    { role: "assistant", content: "Done." },
    { role: "user", content: "[SUGGESTION MODE: ...]" },
  ];
  expect(isClaudeCodeSideRequest(request(fork))).toBe(true);
});
