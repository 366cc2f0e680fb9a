/**
 * Native agents' workflow steps. One attempt is read -> call model -> write:
 * a query reads the step's prompt and the agent's instructions, this action
 * calls the Messages API (model/nativeModelCall.ts), and a mutation records
 * the tokens and their cost against the budgets and settles the step.
 * Native agents in threads: convex/nativeSessions.ts.
 */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import {
  internalAction,
  internalMutation,
  internalQuery,
} from "./_generated/server";
import {
  finishNativeStep,
  nativeStepContext,
  vNativeStepContext,
} from "./model/nativeAgents";
import {
  callModel,
  failedCall,
  modelOutcomeFields,
  nativeModel,
} from "./model/nativeModelCall";

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
    ...modelOutcomeFields,
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
    const outcome =
      "error" in context
        ? failedCall(context.error, nativeModel())
        : await callModel({
            system: context.instructions,
            messages: [{ role: "user", content: context.prompt }],
          });
    await ctx.runMutation(internal.nativeAgents.finishStep, {
      ...args,
      ...outcome,
    });
    return null;
  },
});
