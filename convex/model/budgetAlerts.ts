/**
 * What happens when usage crosses a budget threshold, once per period: at
 * 80% people are told in the project's general thread; at 100% a
 * "budget_raise" approval is requested. Both run inside the usage report's
 * transaction, so a crossing is noticed exactly once however reports race.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { requestApproval } from "./approvals";
import { recordAudit } from "./audit";
import {
  describeUsage,
  envelopeName,
  isExhausted,
  isWarned,
  raiseSummary,
  WARN_AT,
} from "./budgetLevels";
import { LIMITS } from "./limits";
import { ensureThread } from "./threadReads";

/**
 * Marks and announces the thresholds `budget` (already counting the new
 * usage) crossed for the first time this period. `project` is where the
 * usage happened: org and agent envelopes are announced there too.
 */
export async function noticeThresholds(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  budget: Doc<"budgets">,
): Promise<Doc<"budgets">> {
  const now = Date.now();
  const newlyExhausted =
    budget.exhaustedAt === undefined && isExhausted(budget);
  const newlyWarned = budget.warnedAt === undefined && isWarned(budget);
  if (!newlyExhausted && !newlyWarned) return budget;
  const name = envelopeName(budget);
  if (newlyExhausted) {
    const approvalId = await requestApproval(ctx, access, project, {
      kind: "budget_raise",
      summary: raiseSummary(budget),
      details: [
        `${name} is exhausted: ${describeUsage(budget)}.`,
        `Envelope ${budget._id} (${budget.scope} ${budget.targetId}).`,
        "Dispatch of new work it covers is stopped. Approving records the decision only:",
        "raise the limit (budgets.set) to resume.",
      ].join("\n"),
      // Only those who may set budgets can act on the answer.
      approverRole: "admin",
    });
    const body = `${name} is exhausted: ${describeUsage(budget, { withLeft: true })}. New work it covers will not be dispatched; a raise was requested.`;
    const messageId = await postNotice(
      ctx,
      access,
      project,
      "budget_exhausted",
      body,
    );
    await ctx.db.patch("budgets", budget._id, {
      exhaustedAt: now,
      warnedAt: budget.warnedAt ?? now,
      raiseApprovalId: approvalId,
    });
    await recordAudit(ctx, "system", {
      orgId: budget.orgId,
      action: "budget.exhausted",
      entity: "budget",
      entityId: budget._id,
      after: { approvalId, messageId, ...figures(budget) },
    });
  } else {
    const body = `${name} is at ${Math.floor(WARN_AT * 100)}%: ${describeUsage(budget, { withLeft: true })}.`;
    const messageId = await postNotice(
      ctx,
      access,
      project,
      "budget_warning",
      body,
    );
    await ctx.db.patch("budgets", budget._id, { warnedAt: now });
    await recordAudit(ctx, "system", {
      orgId: budget.orgId,
      action: "budget.warned",
      entity: "budget",
      entityId: budget._id,
      after: { messageId, ...figures(budget) },
    });
  }
  return (await ctx.db.get("budgets", budget._id))!;
}

function figures(budget: Doc<"budgets">) {
  return {
    usedTokens: budget.usedTokens,
    limitTokens: budget.limitTokens ?? null,
    usedCostUsd: budget.usedCostUsd,
    limitCostUsd: budget.limitCostUsd ?? null,
  };
}

/**
 * An event message in the project's general thread. messages.authorId must
 * be a principal (there is no "system" author), so the notice is authored by
 * whoever reported the usage that crossed the threshold, as kind "event"
 * so clients show it as a notice rather than as their words.
 */
async function postNotice(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  event: "budget_warning" | "budget_exhausted",
  body: string,
): Promise<Id<"messages">> {
  const thread = await ensureThread(ctx, access, project, {});
  const now = Date.now();
  const messageId = await ctx.db.insert("messages", {
    threadId: thread._id,
    authorId: access.principal.id,
    kind: "event",
    event,
    body: body.slice(0, LIMITS.messageLength),
    createdAt: now,
  });
  await ctx.db.patch("threads", thread._id, { lastMessageAt: now });
  return messageId;
}
