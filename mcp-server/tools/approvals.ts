/**
 * request_approval (optionally waiting for the decision) and approval_prompt,
 * Claude Code's --permission-prompt-tool. The prompt's answer must be one
 * text block holding exactly `{"behavior":"allow","updatedInput":{...}}` or
 * `{"behavior":"deny","message":"..."}`: Claude Code parses it. Failures are
 * answered as a deny carrying the reason, never as something it cannot parse,
 * so an unreachable backend can never be mistaken for a "yes".
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { api } from "../../convex/_generated/api";
import type { ApprovalView } from "../../convex/model/views";
import { errorText } from "../errors";
import { jsonResult, type ToolContext, type ToolRunner } from "../toolTypes";
import { waitFor, waitMs } from "../waiting";

/** The expiry job runs at the deadline; give it this long before deciding ourselves. */
const EXPIRY_GRACE_MS = 3_000;

async function awaitDecision(
  context: ToolContext,
  approvalId: string,
  timeoutMs: number,
): Promise<ApprovalView | null> {
  const outcome = await waitFor(
    context.connection,
    api.agentApprovals.get,
    { approvalId },
    (value) => {
      const approval = value as ApprovalView;
      return approval.status === "pending" ? undefined : approval;
    },
    {
      timeoutMs,
      signal: context.signal,
      progress: context.progress,
    },
  );
  return "timedOut" in outcome ? null : outcome.value;
}

export const runRequestApproval: ToolRunner = async (context) => {
  const approval = (await context.connection.mutation(
    api.agentApprovals.request,
    context.args,
  )) as ApprovalView;
  const timeoutMs = waitMs(
    context.local.waitSeconds,
    context.config.waitTimeoutMs,
    0,
  );
  if (timeoutMs === 0) return jsonResult(approval);
  const decided = await awaitDecision(context, approval.id, timeoutMs);
  return jsonResult(
    decided ?? {
      ...approval,
      note: `No decision yet after ${Math.round(timeoutMs / 1000)} s; wait_for_updates reports it when it comes.`,
    },
  );
};

type PromptAnswer = {
  decision: "allow" | "deny" | "pending";
  approvalId: string;
  message?: string;
};

function allow(input: unknown): CallToolResult {
  const updatedInput = typeof input === "object" && input !== null ? input : {};
  return text({ behavior: "allow", updatedInput });
}

function deny(message: string): CallToolResult {
  return text({ behavior: "deny", message });
}

function text(answer: object): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(answer) }] };
}

export const runApprovalPrompt: ToolRunner = async (context) => {
  const ttlMs =
    typeof context.args.ttlMs === "number"
      ? context.args.ttlMs
      : context.config.approvalTimeoutMs;
  const input = context.args.input;
  try {
    const answer = (await context.connection.mutation(
      api.agentApprovals.prompt,
      {
        ...context.args,
        ttlMs,
      },
    )) as PromptAnswer;
    if (answer.decision === "allow") return allow(input);
    if (answer.decision === "deny") {
      return deny(answer.message ?? "Denied by an approval rule.");
    }
    const decided = await awaitDecision(
      context,
      answer.approvalId,
      ttlMs + EXPIRY_GRACE_MS,
    );
    const seconds = Math.round(ttlMs / 1000);
    if (decided === null) {
      return deny(
        `No decision within ${seconds} s, so this is denied (approval ${answer.approvalId}). Ask a person in the Switchboard thread, or try something that needs no approval.`,
      );
    }
    if (decided.status === "approved") return allow(input);
    if (decided.decidedBy === "system") {
      return deny(
        `No decision within ${seconds} s, so this is denied (approval ${decided.id}). Ask a person in the Switchboard thread, or try something that needs no approval.`,
      );
    }
    return deny(
      `A person ${decided.status === "rejected" ? "rejected" : `marked ${decided.status}`} this request${decided.reason === undefined ? "." : `: ${decided.reason}`}`,
    );
  } catch (error) {
    return deny(
      `Could not get a decision, so this is denied. ${errorText(error)}`,
    );
  }
};
