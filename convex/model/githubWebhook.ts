/**
 * GitHub webhooks, the rules: checking a delivery's signature, reading the
 * parts of a pull_request payload we use, and what a pull request does to
 * the task on its branch. The HTTP action and the scheduled processing are
 * in convex/githubWebhooks.ts.
 */
import type { Doc } from "../_generated/dataModel";
import { env, type MutationCtx, type QueryCtx } from "../_generated/server";
import { diffSummaries, recordAudit } from "./audit";
import { fail } from "./errors";
import { applyMove, auditTaskChange, moveRefusal, taskKey } from "./tasks";

/**
 * The largest body accepted. The raw body is stored in one document, and a
 * Convex document holds at most 1 MiB; pull_request payloads are tens of KB.
 */
export const MAX_BODY_BYTES = 512 * 1024;

/** Projects one repository may be linked to; bounds the webhook's reads. */
export const MAX_LINKS_PER_REPOSITORY = 20;

/** The deployment's webhook secret, or null when none is set. */
export function webhookSecret(): string | null {
  // Read at request time so `npx convex env set` takes effect without a deploy.
  const secret = env.GITHUB_WEBHOOK_SECRET;
  return secret === undefined || secret === "" ? null : secret;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks `X-Hub-Signature-256` ("sha256=<hex HMAC-SHA256 of the body>") over
 * the raw bytes as received. `crypto.subtle.verify` recomputes the MAC and
 * compares it inside the crypto library in constant time, so no timing
 * difference tells an attacker how many leading bytes they guessed right (a
 * JavaScript `===` on the hex strings would).
 */
export async function verifySignature(
  secret: string,
  header: string | null,
  body: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const hex = header === null ? undefined : SIGNATURE.exec(header)?.[1];
  if (hex === undefined) return false;
  const signature = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    signature[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  return await crypto.subtle.verify("HMAC", key, signature, body);
}

// GitHub: owners are 1-39 letters, digits or hyphens; names letters, digits, ".", "-", "_".
const REPOSITORY = /^[a-z0-9][a-z0-9-]{0,38}\/[a-z0-9._-]{1,100}$/;

/** "Owner/Name" as GitHub's `repository.full_name` gives it, lowercased for lookups. */
export function normalizeRepository(input: string): string {
  const repository = input.trim().toLowerCase();
  if (!REPOSITORY.test(repository) || /\/\.\.?$/.test(repository)) {
    fail(
      "INVALID_ARGUMENT",
      `"${input.slice(0, 120)}" is not a GitHub repository: write it as owner/name, e.g. octo-org/app.`,
    );
  }
  return repository;
}

/** The parts of a pull_request event we act on. */
export type PullRequestEvent = {
  action: string;
  repository: string;
  /** The repository the head branch lives in; null when the fork was deleted. */
  headRepository: string | null;
  headRef: string;
  url: string;
  merged: boolean;
};

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && key in value
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** Null when the payload lacks what a pull_request event always carries. */
export function readPullRequestEvent(
  payload: unknown,
): PullRequestEvent | null {
  const pullRequest = field(payload, "pull_request");
  const head = field(pullRequest, "head");
  const action = text(field(payload, "action"));
  const repository = text(field(field(payload, "repository"), "full_name"));
  const headRef = text(field(head, "ref"));
  const url = text(field(pullRequest, "html_url"));
  if (
    action === null ||
    repository === null ||
    headRef === null ||
    url === null ||
    !url.startsWith("https://")
  ) {
    return null;
  }
  const headRepository = text(field(field(head, "repo"), "full_name"));
  return {
    action,
    repository: repository.toLowerCase(),
    headRepository: headRepository?.toLowerCase() ?? null,
    headRef: headRef.slice(0, 250),
    url: url.slice(0, 500),
    merged: field(pullRequest, "merged") === true,
  };
}

/** "switchboard/SB-12-fix-login" -> SB, 12: the branch names sandboxes create. */
export function taskKeyFromBranch(
  ref: string,
): { projectKey: string; number: number } | null {
  const match =
    /^switchboard\/([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})(?:-|$)/.exec(ref);
  if (match === null) return null;
  return { projectKey: match[1]!.toUpperCase(), number: Number(match[2]) };
}

/** The project's task on `ref`: its recorded branch, else the key in a sandbox branch name. */
export async function findTaskForBranch(
  ctx: QueryCtx,
  project: Doc<"projects">,
  ref: string,
): Promise<Doc<"tasks"> | null> {
  const onBranch = await ctx.db
    .query("tasks")
    .withIndex("by_projectId_branch", (q) =>
      q.eq("projectId", project._id).eq("branch", ref),
    )
    .first();
  if (onBranch !== null) return onBranch;
  const key = taskKeyFromBranch(ref);
  if (key === null || key.projectKey !== project.key) return null;
  return await ctx.db
    .query("tasks")
    .withIndex("by_projectId_number", (q) =>
      q.eq("projectId", project._id).eq("number", key.number),
    )
    .unique();
}

/** What processing one event did, written onto the event row. */
export type EventOutcome = Pick<
  Doc<"githubEvents">,
  "action" | "note" | "projectId" | "taskId" | "taskKey"
> & { status: "processed" | "ignored"; note: string };

/** Records the pull request on the task (and the branch, if it had none). */
async function linkPullRequest(
  ctx: MutationCtx,
  project: Doc<"projects">,
  task: Doc<"tasks">,
  pr: PullRequestEvent,
): Promise<Doc<"tasks"> | null> {
  const branch = task.branch ?? pr.headRef;
  if (task.pullRequestUrl === pr.url && task.branch === branch) return null;
  await ctx.db.patch("tasks", task._id, {
    pullRequestUrl: pr.url,
    branch,
    updatedAt: Date.now(),
  });
  await recordAudit(ctx, "system", {
    orgId: project.orgId,
    action: "task.link_pull_request",
    entity: "task",
    entityId: task._id,
    ...diffSummaries(
      {
        pullRequestUrl: task.pullRequestUrl ?? null,
        branch: task.branch ?? null,
      },
      { pullRequestUrl: pr.url, branch },
    ),
  });
  return (await ctx.db.get("tasks", task._id))!;
}

/** What to do with a delivery of `event` whose body is `payload` (JSON, checked on receipt). */
export async function processEvent(
  ctx: MutationCtx,
  event: string,
  payload: string,
): Promise<EventOutcome> {
  if (event === "ping") {
    return {
      status: "ignored",
      note: "GitHub's ping: the webhook reaches us.",
    };
  }
  if (event !== "pull_request") {
    return {
      status: "ignored",
      note: `"${event.slice(0, 100)}" events are not used; only pull_request.`,
    };
  }
  const pr = readPullRequestEvent(JSON.parse(payload));
  if (pr === null) {
    return {
      status: "ignored",
      note: "Not a pull_request payload: no action, repository, head branch or URL.",
    };
  }
  return await applyPullRequest(ctx, pr);
}

/**
 * Applies a pull_request event to the task on its branch, as the "system"
 * actor. Every refusal is decided before the first write and returned as an
 * "ignored" outcome, so nothing here throws for an expected reason.
 */
async function applyPullRequest(
  ctx: MutationCtx,
  pr: PullRequestEvent,
): Promise<EventOutcome> {
  const outcome = (
    status: EventOutcome["status"],
    note: string,
    found: Partial<EventOutcome> = {},
  ): EventOutcome => ({ status, action: pr.action, note, ...found });
  const merged = pr.action === "closed" && pr.merged;
  if (pr.action === "closed" && !pr.merged) {
    return outcome(
      "ignored",
      "Closed without merging: the task keeps its status.",
    );
  }
  if (!merged && !LINKING_ACTIONS.has(pr.action)) {
    return outcome(
      "ignored",
      `Pull request "${pr.action}" changes nothing here.`,
    );
  }
  // A fork's branch name is whatever its author chose; only the repository's own branches count.
  if (pr.headRepository !== pr.repository) {
    return outcome(
      "ignored",
      `The head branch is in a fork (${pr.headRepository ?? "deleted"}).`,
    );
  }
  const links = await ctx.db
    .query("githubRepositories")
    .withIndex("by_repository_projectId", (q) =>
      q.eq("repository", pr.repository),
    )
    .take(MAX_LINKS_PER_REPOSITORY);
  if (links.length === 0) {
    return outcome("ignored", `${pr.repository} is not linked to any project.`);
  }
  for (const link of links) {
    const project = await ctx.db.get("projects", link.projectId);
    const task =
      project === null
        ? null
        : await findTaskForBranch(ctx, project, pr.headRef);
    if (project === null || task === null) continue;
    const key = taskKey(project, task);
    const found = { projectId: project._id, taskId: task._id, taskKey: key };
    if (!merged) {
      const linked = await linkPullRequest(ctx, project, task, pr);
      return linked === null
        ? outcome("ignored", `${key} is already linked to ${pr.url}.`, found)
        : outcome("processed", `Linked ${key} to ${pr.url}.`, found);
    }
    if (task.status === "done") {
      return outcome("ignored", `${key} is already done.`, found);
    }
    // The state machine decides, as for a person's move: a merge does not force it.
    const refusal = moveRefusal(task, "done");
    if (refusal !== null) {
      return outcome(
        "ignored",
        `Merged, but ${key} stays ${task.status}: ${refusal.message}`,
        found,
      );
    }
    const before = (await linkPullRequest(ctx, project, task, pr)) ?? task;
    await applyMove(ctx, before, "done", Date.now());
    await auditTaskChange(ctx, "system", project, before, "task.move");
    return outcome("processed", `Merged: ${key} is done.`, found);
  }
  // With one linked project the event belongs to it, so its list shows why nothing happened.
  return outcome(
    "ignored",
    `No task of the linked project${links.length === 1 ? "" : "s"} is on branch ${pr.headRef}.`,
    links.length === 1 ? { projectId: links[0]!.projectId } : {},
  );
}

/** Actions that say "this pull request is (again) the task's". */
const LINKING_ACTIONS: ReadonlySet<string> = new Set([
  "opened",
  "reopened",
  "ready_for_review",
]);
