/**
 * The one Messages API call native agents make (workflow steps and thread
 * turns), from an action: no transaction stays open over the network. The
 * step's retry policy or the session's end is the one retry loop, so the SDK
 * does not retry by itself.
 */
import Anthropic from "@anthropic-ai/sdk";
import { v, type Infer } from "convex/values";
import { env } from "../_generated/server";
import { costUsd, parsePriceOverride } from "./modelPrices";

const DEFAULT_MODEL = "claude-sonnet-4-6";
const MAX_TOKENS = 2048;

export type ModelTurn = { role: "user" | "assistant"; content: string };

/** What a call did, as the writing mutations (step or turn) take it. */
export const modelOutcomeFields = {
  /** The answer; absent when the call failed (then `error`). */
  text: v.optional(v.string()),
  error: v.optional(v.string()),
  inputTokens: v.number(),
  outputTokens: v.number(),
  costUsd: v.number(),
  model: v.string(),
};
export const vModelOutcome = v.object(modelOutcomeFields);
export type ModelOutcome = Infer<typeof vModelOutcome>;

/** The model native agents use (SWITCHBOARD_NATIVE_MODEL overrides it). */
export function nativeModel(): string {
  return env.SWITCHBOARD_NATIVE_MODEL ?? DEFAULT_MODEL;
}

export function failedCall(error: string, model: string): ModelOutcome {
  return { error, inputTokens: 0, outputTokens: 0, costUsd: 0, model };
}

export async function callModel(request: {
  system: string;
  messages: ModelTurn[];
}): Promise<ModelOutcome> {
  const model = nativeModel();
  // Read per call so `npx convex env set` takes effect without a deploy.
  const apiKey = env.ANTHROPIC_API_KEY;
  if (apiKey === undefined || apiKey === "") {
    return failedCall("ANTHROPIC_API_KEY is not set", model);
  }
  const client = new Anthropic({
    apiKey,
    baseURL: env.ANTHROPIC_BASE_URL,
    maxRetries: 0,
  });
  try {
    const message = await client.messages.create({
      model,
      max_tokens: MAX_TOKENS,
      ...(request.system === "" ? {} : { system: request.system }),
      messages: request.messages,
    });
    const text = message.content
      .flatMap((block) => (block.type === "text" ? [block.text] : []))
      .join("\n");
    const { input_tokens: inputTokens, output_tokens: outputTokens } =
      message.usage;
    return {
      text,
      inputTokens,
      outputTokens,
      costUsd: costUsd(
        model,
        inputTokens,
        outputTokens,
        parsePriceOverride(env.SWITCHBOARD_NATIVE_PRICE),
      ),
      model,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return failedCall(`the model call failed: ${why.slice(0, 1_000)}`, model);
  }
}
