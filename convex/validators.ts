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
  v.literal("sandbox"),
  v.literal("workflow"),
  v.literal("workflowRun"),
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
  /** One workflow run; its targetId is the run's id (a string until the runs table exists). */
  v.literal("run"),
);
export type BudgetScope = Infer<typeof vBudgetScope>;

/** When a budget envelope's usage starts again from zero. */
export const vBudgetPeriod = v.union(v.literal("monthly"), v.literal("none"));
export type BudgetPeriod = Infer<typeof vBudgetPeriod>;

/**
 * The stages a sandbox is brought up in, in order (model/sandboxStages.ts).
 * Each is recorded live so the board and task detail can show progress.
 */
export const vSandboxStage = v.union(
  v.literal("worktree"),
  v.literal("container"),
  v.literal("configuration"),
  v.literal("dependencies"),
  v.literal("mcp"),
  v.literal("health"),
);
export type SandboxStage = Infer<typeof vSandboxStage>;

export const vStageState = v.union(
  v.literal("pending"),
  v.literal("running"),
  v.literal("done"),
  v.literal("failed"),
);
export type StageState = Infer<typeof vStageState>;

export const vSandboxStageRecord = v.object({
  stage: vSandboxStage,
  state: vStageState,
  startedAt: v.optional(v.number()),
  endedAt: v.optional(v.number()),
  error: v.optional(v.string()),
});
export type SandboxStageRecord = Infer<typeof vSandboxStageRecord>;

/**
 * Where a sandbox is in its life. "requested", "stopping", "resuming" and
 * "cleaning" are work waiting for a runner (a VS Code window on the machine
 * that owns the repository); the others are settled states.
 */
export const vSandboxStatus = v.union(
  v.literal("requested"),
  v.literal("provisioning"),
  v.literal("ready"),
  v.literal("failed"),
  v.literal("stopping"),
  v.literal("stopped"),
  v.literal("resuming"),
  v.literal("cleaning"),
  /** Container and worktree removed; the branch was merged or pushed. */
  v.literal("cleaned"),
  /** Container removed, worktree kept: its branch holds unmerged, unpushed work. */
  v.literal("kept"),
  /** The sweep found its container or worktree gone. */
  v.literal("missing"),
);
export type SandboxStatus = Infer<typeof vSandboxStatus>;
