/**
 * Compact, model-readable shapes of tasks, approvals and budgets: what the
 * agent-facing functions (and so the MCP tools) return. Ids stay ids so they
 * can be passed back; times are ISO strings a model reads without arithmetic;
 * internal bookkeeping (priorityRank, expiry job ids) is left out.
 */
import { v, type Infer } from "convex/values";
import type { Doc } from "../_generated/dataModel";
import {
  vApprovalStatus,
  vBudgetPeriod,
  vBudgetScope,
  vPrincipalId,
  vPriority,
  vTaskStatus,
  type PrincipalId,
} from "../validators";
import { isExhausted, isWarned } from "./budgetLevels";
import { periodOf } from "./budgetPeriods";
import { taskKey } from "./tasks";

/** List views cut descriptions to this many characters (get/claim show them whole). */
const LIST_DESCRIPTION_CHARS = 300;

export const vTaskView = v.object({
  id: v.id("tasks"),
  key: v.string(),
  title: v.string(),
  status: vTaskStatus,
  priority: vPriority,
  /** todo with every dependency done: claimable. */
  ready: v.boolean(),
  description: v.string(),
  labels: v.array(v.string()),
  assigneeId: v.optional(vPrincipalId),
  lease: v.optional(
    v.object({
      holderId: vPrincipalId,
      expiresAt: v.string(),
      mine: v.boolean(),
    }),
  ),
  parentId: v.optional(v.id("tasks")),
  dependsOn: v.array(v.id("tasks")),
  openDependencies: v.number(),
  branch: v.optional(v.string()),
  pullRequestUrl: v.optional(v.string()),
  updatedAt: v.string(),
});
export type TaskView = Infer<typeof vTaskView>;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function taskView(
  project: Doc<"projects">,
  task: Doc<"tasks">,
  viewerId: PrincipalId,
  { full }: { full: boolean },
): TaskView {
  const description =
    full || task.description.length <= LIST_DESCRIPTION_CHARS
      ? task.description
      : `${task.description.slice(0, LIST_DESCRIPTION_CHARS)}…`;
  return {
    id: task._id,
    key: taskKey(project, task),
    title: task.title,
    status: task.status,
    priority: task.priority,
    ready: task.status === "todo" && task.openBlockers === 0,
    description,
    labels: task.labels,
    assigneeId: task.assigneeId,
    lease:
      task.lease === undefined
        ? undefined
        : {
            holderId: task.lease.holderId,
            expiresAt: iso(task.lease.expiresAt),
            mine: task.lease.holderId === viewerId,
          },
    parentId: task.parentId,
    dependsOn: task.dependsOn,
    openDependencies: task.openBlockers,
    branch: task.branch,
    pullRequestUrl: task.pullRequestUrl,
    updatedAt: iso(task.updatedAt),
  };
}

export const vApprovalView = v.object({
  id: v.id("approvals"),
  status: vApprovalStatus,
  kind: v.string(),
  summary: v.string(),
  taskId: v.optional(v.id("tasks")),
  expiresAt: v.string(),
  /** Who decided: a person's or agent's id, or "system" (policy, rule, expiry). */
  decidedBy: v.optional(v.union(vPrincipalId, v.literal("system"))),
  reason: v.optional(v.string()),
  ruleId: v.optional(v.id("approvalRules")),
});
export type ApprovalView = Infer<typeof vApprovalView>;

export function approvalView(approval: Doc<"approvals">): ApprovalView {
  return {
    id: approval._id,
    status: approval.status,
    kind: approval.kind,
    summary: approval.summary,
    taskId: approval.taskId,
    expiresAt: iso(approval.policy.expiresAt),
    decidedBy: approval.resolverId,
    reason: approval.reason,
    ruleId: approval.ruleId,
  };
}

export const vBudgetView = v.object({
  id: v.id("budgets"),
  scope: vBudgetScope,
  targetId: v.string(),
  limitTokens: v.optional(v.number()),
  limitCostUsd: v.optional(v.number()),
  usedTokens: v.number(),
  usedCostUsd: v.number(),
  /** Absent when the envelope sets no limit of that kind; never below 0. */
  remainingTokens: v.optional(v.number()),
  remainingCostUsd: v.optional(v.number()),
  period: vBudgetPeriod,
  /** At or past 80% of a limit: people have been told. */
  warned: v.boolean(),
  /** A limit is spent: new work it covers is not dispatched until it is raised. */
  exhausted: v.boolean(),
});
export type BudgetView = Infer<typeof vBudgetView>;

export function budgetView(budget: Doc<"budgets">): BudgetView {
  return {
    id: budget._id,
    scope: budget.scope,
    targetId: budget.targetId,
    limitTokens: budget.limitTokens,
    limitCostUsd: budget.limitCostUsd,
    usedTokens: budget.usedTokens,
    usedCostUsd: roundMicros(budget.usedCostUsd),
    remainingTokens:
      budget.limitTokens === undefined
        ? undefined
        : Math.max(0, budget.limitTokens - budget.usedTokens),
    remainingCostUsd:
      budget.limitCostUsd === undefined
        ? undefined
        : roundMicros(Math.max(0, budget.limitCostUsd - budget.usedCostUsd)),
    period: periodOf(budget),
    warned: isWarned(budget),
    exhausted: isExhausted(budget),
  };
}

/** Sums of float dollars drift (0.1 + 0.2); show them to a millionth of a dollar. */
function roundMicros(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
