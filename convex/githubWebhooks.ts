/**
 * POST /webhooks/github: GitHub's deliveries. The HTTP action only checks the
 * signature and stores the raw event (answering 200 at once, as GitHub asks
 * of webhook receivers); a scheduled function processes it. Rules are in
 * model/githubWebhook.ts.
 */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import {
  internalAction,
  internalMutation,
  type ActionCtx,
} from "./_generated/server";
import {
  MAX_BODY_BYTES,
  processEvent,
  verifySignature,
  webhookSecret,
} from "./model/githubWebhook";

/** Longest X-GitHub-Delivery / X-GitHub-Event accepted (GitHub sends a GUID / a short name). */
const MAX_HEADER_CHARS = 100;
const MAX_NOTE_CHARS = 500;

function reply(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
    },
  });
}

function header(request: Request, name: string): string | null {
  const value = request.headers.get(name)?.trim() ?? "";
  return value === "" || value.length > MAX_HEADER_CHARS ? null : value;
}

/** Routed in http.ts. */
export async function receiveGithubWebhook(
  ctx: ActionCtx,
  request: Request,
): Promise<Response> {
  const secret = webhookSecret();
  if (secret === null) {
    return reply(503, {
      error:
        "GitHub webhooks are not configured on this deployment: set GITHUB_WEBHOOK_SECRET.",
    });
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    return reply(413, {
      error: `Bodies over ${MAX_BODY_BYTES} bytes are refused.`,
    });
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_BODY_BYTES) {
    return reply(413, {
      error: `Bodies over ${MAX_BODY_BYTES} bytes are refused.`,
    });
  }
  // Nothing is read from an unsigned body, not even to say what is wrong with it.
  const signature = request.headers.get("x-hub-signature-256");
  if (!(await verifySignature(secret, signature, body))) {
    return reply(401, {
      error:
        "Missing or wrong X-Hub-Signature-256 for this deployment's secret.",
    });
  }
  const deliveryId = header(request, "x-github-delivery");
  const event = header(request, "x-github-event");
  if (deliveryId === null || event === null) {
    return reply(400, {
      error: "X-GitHub-Delivery and X-GitHub-Event headers are required.",
    });
  }
  // Only JSON bodies are stored: a form-encoded delivery (the other content
  // type GitHub offers) would be kept forever and never processed.
  let payload: string;
  try {
    payload = new TextDecoder("utf-8", { fatal: true }).decode(body);
    const parsed: unknown = JSON.parse(payload);
    if (
      typeof parsed !== "object" ||
      parsed === null ||
      Array.isArray(parsed)
    ) {
      throw new Error("not an object");
    }
  } catch {
    return reply(400, {
      error:
        'The body is not a JSON object: set the webhook\'s content type to "application/json".',
    });
  }
  const { duplicate } = await ctx.runMutation(internal.githubWebhooks.record, {
    deliveryId,
    event,
    payload,
  });
  return reply(200, { ok: true, duplicate });
}

/**
 * Stores a delivery once: GitHub's retries and replays carry the same
 * delivery id, and so does its "Redeliver" button. A delivery whose
 * processing failed is taken again (its body is signed, so it is GitHub's),
 * which is what a person redelivering it wants; any other repeat is ignored.
 */
export const record = internalMutation({
  args: { deliveryId: v.string(), event: v.string(), payload: v.string() },
  returns: v.object({ duplicate: v.boolean() }),
  handler: async (ctx, { deliveryId, event, payload }) => {
    const seen = await ctx.db
      .query("githubEvents")
      .withIndex("by_deliveryId", (q) => q.eq("deliveryId", deliveryId))
      .first();
    if (seen !== null && seen.status !== "failed") return { duplicate: true };
    const fresh = { event, payload, receivedAt: Date.now() };
    let eventId = seen?._id;
    if (eventId === undefined) {
      eventId = await ctx.db.insert("githubEvents", {
        deliveryId,
        ...fresh,
        status: "pending",
      });
    } else {
      await ctx.db.replace("githubEvents", eventId, {
        deliveryId,
        ...fresh,
        status: "pending",
      });
    }
    await ctx.scheduler.runAfter(0, internal.githubWebhooks.process, {
      eventId,
    });
    return { duplicate: false };
  },
});

/** Stored deliveries are kept this long (their effects on tasks stay). */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60_000;
const PRUNE_BATCH = 200;

/** The daily cron: drops deliveries older than the retention, a batch at a time. */
export const pruneEvents = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => {
    const old = await ctx.db
      .query("githubEvents")
      .withIndex("by_receivedAt", (q) =>
        q.lt("receivedAt", Date.now() - EVENT_RETENTION_MS),
      )
      .take(PRUNE_BATCH);
    for (const event of old) await ctx.db.delete("githubEvents", event._id);
    if (old.length === PRUNE_BATCH) {
      await ctx.scheduler.runAfter(0, internal.githubWebhooks.pruneEvents, {});
    }
    return old.length;
  },
});

/**
 * Processes one stored event. An action around the mutation that does the
 * work: if that mutation throws, all its writes are rolled back, and the
 * failure is still recorded on the event by a second, separate mutation.
 */
export const process = internalAction({
  args: { eventId: v.id("githubEvents") },
  returns: v.null(),
  handler: async (ctx, { eventId }) => {
    try {
      await ctx.runMutation(internal.githubWebhooks.apply, { eventId });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await ctx.runMutation(internal.githubWebhooks.markFailed, {
        eventId,
        note: message.slice(0, MAX_NOTE_CHARS),
      });
    }
    return null;
  },
});

export const apply = internalMutation({
  args: { eventId: v.id("githubEvents") },
  returns: v.null(),
  handler: async (ctx, { eventId }) => {
    const event = await ctx.db.get("githubEvents", eventId);
    // Processed once: a second run (a retried job) finds it settled.
    if (event === null || event.status !== "pending") return null;
    const outcome = await processEvent(ctx, event.event, event.payload);
    await ctx.db.patch("githubEvents", eventId, outcome);
    return null;
  },
});

export const markFailed = internalMutation({
  args: { eventId: v.id("githubEvents"), note: v.string() },
  returns: v.null(),
  handler: async (ctx, { eventId, note }) => {
    const event = await ctx.db.get("githubEvents", eventId);
    if (event === null || event.status !== "pending") return null;
    await ctx.db.patch("githubEvents", eventId, {
      status: "failed",
      note: `Processing failed: ${note}`,
    });
    return null;
  },
});
