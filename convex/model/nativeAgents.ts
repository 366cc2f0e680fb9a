/**
 * The transactional halves of a native agent's step (convex/nativeAgents.ts):
 * reading what the model call needs, and writing back what it did. Both
 * check the attempt, so a late answer never settles a retried, timed-out or
 * cancelled step (its tokens are still counted: they were spent).
 */
import { v, type Infer } from "convex/values";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { createAccess, type Access } from "./access";
import { recordUsage } from "./budgets";
import { renderStepPrompt } from "./workflowRunAdvance";
import { completeStep } from "./workflowRunOps";
import { loadRun, stepDefinition, type LoadedRun } from "./workflowRunState";
import { WORKFLOW_LIMITS } from "./workflowSpec";

export type StepAttempt = {
  runId: Id<"workflowRuns">;
  stepId: string;
  attempt: number;
};

export const vNativeStepContext = v.union(
  v.object({
    agentName: v.string(),
    instructions: v.string(),
    prompt: v.string(),
  }),
  /** The step cannot run (its agent is gone or not native): it fails. */
  v.object({ error: v.string() }),
);
export type NativeStepContext = Infer<typeof vNativeStepContext>;

function currentRow(
  loaded: LoadedRun | null,
  { stepId, attempt }: StepAttempt,
) {
  if (loaded === null || loaded.run.status !== "running") return null;
  const row = loaded.rows.get(stepId);
  return row?.state === "running" && row.attempt === attempt ? row : null;
}

/** What the model is given; null when the attempt is no longer current. */
export async function nativeStepContext(
  ctx: QueryCtx,
  attempt: StepAttempt,
): Promise<NativeStepContext | null> {
  const loaded = await loadRun(ctx, attempt.runId);
  const row = currentRow(loaded, attempt);
  if (loaded === null || row === null) return null;
  const step = stepDefinition(loaded.definition, attempt.stepId);
  if (step === undefined || step.executor !== "native") return null;
  const agent =
    row.agentId === undefined ? null : await ctx.db.get("agents", row.agentId);
  if (agent === null) return { error: `agent "${step.agent}" is gone` };
  if (agent.kind !== "native") {
    return { error: `agent "${agent.name}" is ${agent.kind}, not native` };
  }
  return {
    agentName: agent.name,
    instructions: agent.instructions,
    prompt: renderStepPrompt(loaded, step),
  };
}

/**
 * A native agent acts inside Convex with no token: it is bounded to one
 * project, with the scopes its work needs (report usage and settle steps,
 * post in threads), so what it does is recorded (and audited) as its own.
 */
export function nativeAccess(
  ctx: MutationCtx,
  agent: Doc<"agents">,
  projectId: Id<"projects">,
  permission: "tasks:write" | "threads:post" = "tasks:write",
): Access {
  return createAccess(
    ctx,
    {
      kind: "agent",
      id: agent._id,
      agent,
      token: { projectId },
      scopes: new Set(["tasks:write", "threads:post"]),
    },
    permission,
  );
}

/** Cuts text so the output record fits the step output limit as JSON. */
function fitOutput(text: string): string {
  let fitted = text;
  while (
    JSON.stringify({ text: fitted }).length > WORKFLOW_LIMITS.valueLength
  ) {
    fitted = fitted.slice(0, Math.floor(fitted.length * 0.9));
  }
  return fitted;
}

export type NativeResult = StepAttempt & {
  text?: string;
  error?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  model: string;
};

export async function finishNativeStep(
  ctx: MutationCtx,
  result: NativeResult,
): Promise<void> {
  const loaded = await loadRun(ctx, result.runId);
  const agentId = loaded?.rows.get(result.stepId)?.agentId;
  if (loaded === null || agentId === undefined) return;
  const agent = await ctx.db.get("agents", agentId);
  const project = await ctx.db.get("projects", loaded.run.projectId);
  if (agent === null || project === null) return;
  const access = nativeAccess(ctx, agent, project._id);
  if (result.inputTokens + result.outputTokens > 0) {
    // The run id makes the run's own envelope count it too.
    await recordUsage(ctx, access, project, {
      runId: result.runId,
      stepId: result.stepId,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      costUsd: result.costUsd,
      model: result.model,
    });
  }
  if (currentRow(loaded, result) === null) return;
  await completeStep(
    ctx,
    access,
    loaded.run,
    result.stepId,
    result.text !== undefined && result.error === undefined
      ? { status: "succeeded", output: { text: fitOutput(result.text) } }
      : { status: "failed", error: result.error ?? "the model gave no answer" },
  );
}
