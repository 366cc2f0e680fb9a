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
import type { ModelOutcome } from "./nativeModelCall";
import { stepPrompt } from "./workflowRunAdvance";
import { completeStep } from "./workflowRunOps";
import { openRun, readRow, specOf, type RunTxn } from "./workflowRunState";
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

async function currentRow(
  txn: RunTxn<QueryCtx> | null,
  { stepId, attempt }: StepAttempt,
) {
  if (txn === null || txn.run.status !== "running") return null;
  const row = await readRow(txn, stepId);
  return row?.state === "running" && row.attempt === attempt ? row : null;
}

/** What the model is given; null when the attempt is no longer current. */
export async function nativeStepContext(
  ctx: QueryCtx,
  attempt: StepAttempt,
): Promise<NativeStepContext | null> {
  const txn = await openRun(ctx, attempt.runId);
  const row = await currentRow(txn, attempt);
  if (txn === null || row === null) return null;
  const spec = await specOf(txn, attempt.stepId);
  const step = spec?.step;
  if (spec === null || step?.executor !== "native") return null;
  const agent =
    row.agentId === undefined ? null : await ctx.db.get("agents", row.agentId);
  if (agent === null) return { error: `agent "${step.agent}" is gone` };
  if (agent.kind !== "native") {
    return { error: `agent "${agent.name}" is ${agent.kind}, not native` };
  }
  return {
    agentName: agent.name,
    instructions: agent.instructions,
    prompt: await stepPrompt(txn, spec, step),
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

export type NativeResult = StepAttempt & ModelOutcome;

export async function finishNativeStep(
  ctx: MutationCtx,
  result: NativeResult,
): Promise<void> {
  const txn = await openRun(ctx, result.runId);
  const agentId =
    txn === null ? undefined : (await readRow(txn, result.stepId))?.agentId;
  if (txn === null || agentId === undefined) return;
  const agent = await ctx.db.get("agents", agentId);
  const project = await ctx.db.get("projects", txn.run.projectId);
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
  if ((await currentRow(txn, result)) === null) return;
  await completeStep(
    ctx,
    access,
    txn.run,
    result.stepId,
    result.text !== undefined && result.error === undefined
      ? { status: "succeeded", output: { text: fitOutput(result.text) } }
      : { status: "failed", error: result.error ?? "the model gave no answer" },
  );
}
