/** Threads and their messages: the shared conversation of people and agents. */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { requireText } from "./checks";
import { fail } from "./errors";
import { LIMITS } from "./limits";

export async function createThread(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  input: { title: string; taskId?: Id<"tasks"> },
): Promise<Id<"threads">> {
  if (input.taskId !== undefined) {
    const task = await ctx.db.get("tasks", input.taskId);
    if (task === null || task.projectId !== project._id) {
      fail("INVALID_ARGUMENT", "The task belongs to another project.");
    }
  }
  const now = Date.now();
  const threadId = await ctx.db.insert("threads", {
    projectId: project._id,
    taskId: input.taskId,
    title: requireText("Title", input.title, LIMITS.titleLength),
    createdBy: access.principal.id,
    createdAt: now,
    lastMessageAt: now,
  });
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: "thread.create",
    entity: "thread",
    entityId: threadId,
    after: { title: input.title, taskId: input.taskId ?? null },
  });
  return threadId;
}

/** A task's thread, created on first use so every task has exactly one. */
export async function ensureTaskThread(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  task: Doc<"tasks">,
): Promise<Id<"threads">> {
  const existing = await ctx.db
    .query("threads")
    .withIndex("by_taskId", (q) => q.eq("taskId", task._id))
    .first();
  if (existing !== null) return existing._id;
  return await createThread(ctx, access, project, {
    title: `${project.key}-${task.number}: ${task.title}`.slice(
      0,
      LIMITS.titleLength,
    ),
    taskId: task._id,
  });
}

export type NewMessage =
  | { kind: "text" | "tool"; body: string }
  | {
      kind: "event";
      event: "session_start" | "session_end";
      sessionId: string;
      body: string;
    };

export async function postMessage(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  thread: Doc<"threads">,
  message: NewMessage,
): Promise<Id<"messages">> {
  const now = Date.now();
  const body = requireText("Message", message.body, LIMITS.messageLength, {
    allowEmpty: message.kind === "event",
  });
  const messageId = await ctx.db.insert("messages", {
    threadId: thread._id,
    authorId: access.principal.id,
    kind: message.kind,
    body,
    ...(message.kind === "event"
      ? {
          event: message.event,
          sessionId: requireText("sessionId", message.sessionId, 200),
        }
      : {}),
    createdAt: now,
  });
  await ctx.db.patch("threads", thread._id, { lastMessageAt: now });
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action:
      message.kind === "event" ? `thread.${message.event}` : "message.post",
    entity: "message",
    entityId: messageId,
    after: { threadId: thread._id, kind: message.kind },
  });
  return messageId;
}
