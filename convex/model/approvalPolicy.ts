/**
 * Answers to Claude Code's permission prompts (approval_prompt). An agent's
 * approval rules (set by admins) allow or deny a tool call outright; the
 * decision is stored as an already-decided approval, so the approvals history
 * and the audit trail show it like any other. Without a matching rule the
 * prompt becomes a pending approval a person decides.
 *
 * Patterns are globs: `*` matches any run of characters (slashes included),
 * `?` one character; everything else is literal and the whole string must
 * match. The tool pattern is matched against the tool name ("Bash",
 * "mcp__github__create_issue"); the input pattern against the input's main
 * value: its `command`, `file_path`, `path`, `url`, `pattern` or `query`
 * (the first that is a string), else its JSON. Deny rules win over allow.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { defaultTask } from "./agentScope";
import { requestApproval } from "./approvals";
import { actorOf, recordAudit } from "./audit";
import { requireText } from "./checks";
import { LIMITS } from "./limits";

export const MAX_RULES_PER_AGENT = 100;
const DEFAULT_PROMPT_TTL_MS = 10 * 60_000;
const SUBJECT_KEYS = [
  "command",
  "file_path",
  "path",
  "url",
  "pattern",
  "query",
];

export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const char of glob) {
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else source += char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** The string an input pattern is matched against. */
export function inputSubject(input: unknown): string {
  if (typeof input === "string") return input;
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    const record = input as Record<string, unknown>;
    for (const key of SUBJECT_KEYS) {
      const value = record[key];
      if (typeof value === "string") return value;
    }
  }
  return JSON.stringify(input) ?? "";
}

type RuleLike = Pick<
  Doc<"approvalRules">,
  "toolPattern" | "inputPattern" | "effect"
>;

export function ruleMatches(
  rule: RuleLike,
  toolName: string,
  subject: string,
): boolean {
  return (
    globToRegExp(rule.toolPattern).test(toolName) &&
    (rule.inputPattern === undefined ||
      globToRegExp(rule.inputPattern).test(subject))
  );
}

/** The deciding rule: the first matching deny, else the first matching allow. */
export function decide<R extends RuleLike>(
  rules: readonly R[],
  toolName: string,
  input: unknown,
): R | null {
  const subject = inputSubject(input);
  const matching = rules.filter((rule) => ruleMatches(rule, toolName, subject));
  return matching.find((rule) => rule.effect === "deny") ?? matching[0] ?? null;
}

export type PermissionPrompt = {
  toolName: string;
  input: unknown;
  toolUseId?: string;
  ttlMs?: number;
};

export type PromptAnswer = {
  decision: "allow" | "deny" | "pending";
  approvalId: Id<"approvals">;
  message?: string;
  ruleId?: Id<"approvalRules">;
};

export async function answerPrompt(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  prompt: PermissionPrompt,
): Promise<PromptAnswer> {
  const principal = access.principal;
  const toolName = requireText("tool_name", prompt.toolName, 200);
  const rules =
    principal.kind === "agent"
      ? await ctx.db
          .query("approvalRules")
          .withIndex("by_agentId", (q) => q.eq("agentId", principal.id))
          .take(MAX_RULES_PER_AGENT)
      : [];
  const rule = decide(rules, toolName, prompt.input);
  const taskId = (await defaultTask(ctx, project._id, principal.id))?._id;
  const summary = clip(
    `${toolName}: ${inputSubject(prompt.input)}`,
    LIMITS.summaryLength,
  );
  const details = clip(
    JSON.stringify({
      tool_name: toolName,
      input: prompt.input,
      tool_use_id: prompt.toolUseId,
    }),
    LIMITS.detailsLength,
  );
  if (rule === null) {
    const approvalId = await requestApproval(ctx, access, project, {
      taskId,
      kind: "tool_use",
      summary,
      details,
      ttlMs: prompt.ttlMs ?? DEFAULT_PROMPT_TTL_MS,
      // Nobody answering is a "no": the agent must not run the tool.
      onExpiry: "reject",
    });
    return { decision: "pending", approvalId };
  }
  const allowed = rule.effect === "allow";
  const reason =
    rule.reason ??
    `${allowed ? "Allowed" : "Denied"} by approval rule ${rule.toolPattern}${rule.inputPattern === undefined ? "" : `(${rule.inputPattern})`}.`;
  const now = Date.now();
  const approvalId = await ctx.db.insert("approvals", {
    projectId: project._id,
    taskId,
    requesterId: principal.id,
    kind: "tool_use",
    summary,
    details,
    policy: { approverRole: "member", expiresAt: now, onExpiry: "expire" },
    status: allowed ? "approved" : "rejected",
    resolverId: "system",
    reason: clip(reason, LIMITS.summaryLength),
    resolvedAt: now,
    ruleId: rule._id,
    createdAt: now,
  });
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: allowed ? "approval.rule_allowed" : "approval.rule_denied",
    entity: "approval",
    entityId: approvalId,
    after: {
      status: allowed ? "approved" : "rejected",
      ruleId: rule._id,
      toolName,
    },
  });
  return {
    decision: allowed ? "allow" : "deny",
    approvalId,
    message: reason,
    ruleId: rule._id,
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
