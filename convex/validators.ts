/**
 * Validators shared by the schema, public function arguments and return
 * values. Each is exported with its inferred TypeScript type so that client
 * code, the MCP server and tests use the same definitions.
 */
import { v, type Infer } from "convex/values";

export const vRole = v.union(
  v.literal("owner"),
  v.literal("admin"),
  v.literal("member"),
  v.literal("viewer"),
);
export type Role = Infer<typeof vRole>;

/** A principal is a user or an agent; Convex ids carry their table. */
export const vPrincipalId = v.union(v.id("users"), v.id("agents"));
export type PrincipalId = Infer<typeof vPrincipalId>;

/** Who did something recorded in the audit log; crons and scheduled jobs act as "system". */
export const vActor = v.union(vPrincipalId, v.literal("system"));
export type Actor = Infer<typeof vActor>;

export const vTaskStatus = v.union(
  v.literal("backlog"),
  v.literal("todo"),
  v.literal("in_progress"),
  v.literal("in_review"),
  v.literal("done"),
  v.literal("blocked"),
  v.literal("cancelled"),
);
export type TaskStatus = Infer<typeof vTaskStatus>;

export const vPriority = v.union(
  v.literal("urgent"),
  v.literal("high"),
  v.literal("medium"),
  v.literal("low"),
);
export type Priority = Infer<typeof vPriority>;

export const vAgentKind = v.union(v.literal("external"), v.literal("native"));
export type AgentKind = Infer<typeof vAgentKind>;

/** How far an agent is trusted; workflows compare it with a step's required level. */
export const vTrustLevel = v.union(
  v.literal("untrusted"),
  v.literal("standard"),
  v.literal("trusted"),
);
export type TrustLevel = Infer<typeof vTrustLevel>;

export const vLease = v.object({
  holderId: vPrincipalId,
  expiresAt: v.number(),
});
export type Lease = Infer<typeof vLease>;

export const vMessageKind = v.union(
  v.literal("text"),
  v.literal("event"),
  v.literal("tool"),
);
export type MessageKind = Infer<typeof vMessageKind>;

export const vApprovalStatus = v.union(
  v.literal("pending"),
  v.literal("approved"),
  v.literal("rejected"),
  v.literal("expired"),
  v.literal("cancelled"),
);
export type ApprovalStatus = Infer<typeof vApprovalStatus>;

/** What happens to a pending approval when its policy's deadline passes. */
export const vOnExpiry = v.union(
  v.literal("expire"),
  v.literal("reject"),
  v.literal("approve"),
);
export type OnExpiry = Infer<typeof vOnExpiry>;

export const vApprovalPolicy = v.object({
  approverRole: vRole,
  expiresAt: v.number(),
  onExpiry: vOnExpiry,
});
export type ApprovalPolicy = Infer<typeof vApprovalPolicy>;

/** Small flat summaries of an entity before and after a change, for the audit log. */
export const vAuditSummary = v.record(
  v.string(),
  v.union(v.string(), v.number(), v.boolean(), v.null()),
);
export type AuditSummary = Infer<typeof vAuditSummary>;

export const vAuditEntity = v.union(
  v.literal("org"),
  v.literal("membership"),
  v.literal("project"),
  v.literal("agent"),
  v.literal("agentToken"),
  v.literal("userToken"),
  v.literal("task"),
  v.literal("thread"),
  v.literal("message"),
  v.literal("approval"),
  v.literal("approvalRule"),
  v.literal("budget"),
  v.literal("usage"),
);
export type AuditEntity = Infer<typeof vAuditEntity>;

/** What an approval rule does with a matching permission prompt. */
export const vRuleEffect = v.union(v.literal("allow"), v.literal("deny"));
export type RuleEffect = Infer<typeof vRuleEffect>;

/** Whose spending a budget envelope bounds. */
export const vBudgetScope = v.union(
  v.literal("org"),
  v.literal("project"),
  v.literal("agent"),
);
export type BudgetScope = Infer<typeof vBudgetScope>;
