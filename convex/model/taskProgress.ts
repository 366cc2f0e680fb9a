/**
 * update_task: one call for what an agent reports while it works: a status
 * change (through the state machine), a progress note on the task's thread,
 * the branch and pull request, and a heartbeat that renews its lease.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { TaskStatus } from "../validators";
import type { Access } from "./access";
import { fail } from "./errors";
import { extendLease, leaseIsLive } from "./leases";
import { editTask, moveTask, taskKey } from "./tasks";
import { isActive } from "./taskStatus";
import { ensureTaskThread, postMessage } from "./threads";

export type ProgressInput = {
  status?: TaskStatus;
  note?: string;
  branch?: string;
  pullRequestUrl?: string;
  leaseMs?: number;
};

export type ProgressResult = {
  task: Doc<"tasks">;
  threadId?: Id<"threads">;
  messageId?: Id<"messages">;
  leaseRenewed: boolean;
};

export async function reportProgress(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  input: ProgressInput,
): Promise<ProgressResult> {
  assertAgentMayUpdate(access, project, task, input.status);
  let current = task;
  if (input.branch !== undefined || input.pullRequestUrl !== undefined) {
    current = await editTask(ctx, access, project, current, {
      branch: input.branch,
      pullRequestUrl: input.pullRequestUrl,
    });
  }
  if (input.status !== undefined && input.status !== current.status) {
    current = await moveTask(ctx, access, project, current, input.status);
  }
  const result: ProgressResult = { task: current, leaseRenewed: false };
  if (input.note !== undefined) {
    result.threadId = await ensureTaskThread(ctx, access, project, current);
    const thread = (await ctx.db.get("threads", result.threadId))!;
    result.messageId = await postMessage(ctx, access, project, thread, {
      kind: "text",
      body: input.note,
    });
  }
  // Every update is a heartbeat: work still under the caller's lease keeps it.
  if (
    current.lease?.holderId === access.principal.id &&
    isActive(current.status)
  ) {
    result.task = await extendLease(
      ctx,
      access,
      project,
      current,
      input.leaseMs,
    );
    result.leaseRenewed = true;
  }
  return result;
}

/**
 * Agents work on active tasks only under their own lease, and start work by
 * claiming (which takes the lease atomically), never by moving a task.
 * People may always step in, as elsewhere.
 */
function assertAgentMayUpdate(
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  to: TaskStatus | undefined,
): void {
  const principal = access.principal;
  if (principal.kind !== "agent") return;
  const key = taskKey(project, task);
  const holder = task.lease?.holderId;
  if (isActive(task.status) && holder !== principal.id) {
    const now = Date.now();
    fail(
      "LEASE_LOST",
      holder !== undefined && leaseIsLive(task, now)
        ? `${key} is leased by someone else now; you no longer hold it. Pick other work (list_tasks, claim_task).`
        : `You do not hold the lease on ${key} (it expired and was reclaimed, or someone released it). Claim it again with claim_task before updating it.`,
    );
  }
  if (to !== undefined && isActive(to) && !isActive(task.status)) {
    // Either it never was the agent's, or its lease lapsed and the task went
    // back to the queue: either way, work (re)starts with a claim.
    fail(
      "LEASE_LOST",
      `You do not hold the lease on ${key} (it is ${task.status}): if you were working on it, your lease lapsed and it went back to the queue. Claim it with claim_task to (re)start work; that moves it to in_progress under your lease.`,
    );
  }
}
