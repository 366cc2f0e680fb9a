/**
 * Native agents: workflow steps whose agent runs inside Convex. One attempt
 * is read -> call model -> write: a query reads the step's prompt and the
 * agent's instructions, this action calls the Messages API (no transaction
 * stays open over the network), and a mutation records the tokens against
 * the budgets and settles the step. One model call per attempt for now:
 * no tools, no thread of turns.
 */
import Anthropic from "@anthropic-ai/sdk";
import { v } from "convex/values";
import { internal } from "./_generated/api";
import {
  env,
  internalAction,
  internalMutation,
  internalQuery,
} from "./_generated/server";
import {
  finishNativeStep,
  nativeStepContext,
  vNativeStepContext,
} from "./model/nativeAgents";

const DEFAULT_MODEL = "claude-sonnet-4-6";
const MAX_TOKENS = 2048;

const attemptArgs = {
  runId: v.id("workflowRuns"),
  stepId: v.string(),
  attempt: v.number(),
};

export const stepContext = internalQuery({
  args: attemptArgs,
  returns: v.union(vNativeStepContext, v.null()),
  handler: async (ctx, args) => await nativeStepContext(ctx, args),
});

export const finishStep = internalMutation({
  args: {
    ...attemptArgs,
    /** The answer; absent when the call failed (then `error`). */
    text: v.optional(v.string()),
    error: v.optional(v.string()),
    inputTokens: v.number(),
    outputTokens: v.number(),
    model: v.string(),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    await finishNativeStep(ctx, args);
    return null;
  },
});

export const runStep = internalAction({
  args: attemptArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    const context = await ctx.runQuery(internal.nativeAgents.stepContext, args);
    if (context === null) return null;
    const model = env.SWITCHBOARD_NATIVE_MODEL ?? DEFAULT_MODEL;
    const outcome =
      "error" in context
        ? failed(context.error)
        : await callModel(model, context);
    await ctx.runMutation(internal.nativeAgents.finishStep, {
      ...args,
      model,
      ...outcome,
    });
    return null;
  },
});

type Outcome = {
  text?: string;
  error?: string;
  inputTokens: number;
  outputTokens: number;
};

function failed(error: string): Outcome {
  return { error, inputTokens: 0, outputTokens: 0 };
}

async function callModel(
  model: string,
  context: { instructions: string; prompt: string },
): Promise<Outcome> {
  // Read per call so `npx convex env set` takes effect without a deploy.
  const apiKey = env.ANTHROPIC_API_KEY;
  if (apiKey === undefined || apiKey === "") {
    return failed("ANTHROPIC_API_KEY is not set");
  }
  const client = new Anthropic({
    apiKey,
    baseURL: env.ANTHROPIC_BASE_URL,
    // The step's retry policy is the one retry loop.
    maxRetries: 0,
  });
  try {
    const message = await client.messages.create({
      model,
      max_tokens: MAX_TOKENS,
      ...(context.instructions === "" ? {} : { system: context.instructions }),
      messages: [{ role: "user", content: context.prompt }],
    });
    const text = message.content
      .flatMap((block) => (block.type === "text" ? [block.text] : []))
      .join("\n");
    return {
      text,
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return failed(`the model call failed: ${why.slice(0, 1_000)}`);
  }
}
