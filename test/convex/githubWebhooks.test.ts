/**
 * POST /webhooks/github end to end: GitHub's signature (its published test
 * vector), refusals before anything is stored, replays, and what pull
 * requests do to tasks once the scheduled processing has run. GitHub itself
 * is played by payloads signed here with the deployment's secret.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import crons from "../../convex/crons";
import type { Id } from "../../convex/_generated/dataModel";
import {
  MAX_BODY_BYTES,
  verifySignature,
} from "../../convex/model/githubWebhook";
import { insertGithubLink } from "./githubCases";
import { insertTask } from "./publicFunctionCases";
import {
  as,
  auditEvents,
  freshWorld,
  mustRead,
  setDeploymentEnv,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

const SECRET = "webhook-secret-for-tests";
const REPOSITORY = "octo-org/app";

/** Sets the deployment's GITHUB_WEBHOOK_SECRET (both harnesses). */
async function setSecret(t: Backend, secret: string | undefined) {
  await setDeploymentEnv(t, "GITHUB_WEBHOOK_SECRET", secret);
}

afterEach(() => {
  delete process.env.GITHUB_WEBHOOK_SECRET;
});

const encode = (text: string) => new TextEncoder().encode(text);

/** What GitHub puts in X-Hub-Signature-256. */
async function sign(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encode(body)),
  );
  return `sha256=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

type Delivery = {
  body: string;
  event?: string;
  deliveryId?: string;
  /** The X-Hub-Signature-256 to send; by default the body signed with SECRET. */
  signature?: string | null;
};

let deliveries = 0;

async function deliver(t: Backend, delivery: Delivery): Promise<Response> {
  const signature =
    delivery.signature === undefined
      ? await sign(SECRET, delivery.body)
      : delivery.signature;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": delivery.event ?? "pull_request",
    "x-github-delivery": delivery.deliveryId ?? `delivery-${++deliveries}`,
    "user-agent": "GitHub-Hookshot/test",
  };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return await t.fetch("/webhooks/github", {
    method: "POST",
    headers,
    body: delivery.body,
  });
}

type PullRequest = {
  ref: string;
  merged?: boolean;
  number?: number;
  /** Where the head branch lives; the repository itself unless a fork. */
  headRepository?: string;
};

/** A pull_request payload with the fields GitHub always sends that we read. */
function pullRequest(action: string, pr: PullRequest): string {
  const number = pr.number ?? 7;
  return JSON.stringify({
    action,
    number,
    pull_request: {
      number,
      html_url: `https://github.com/Octo-Org/App/pull/${number}`,
      state: action === "closed" ? "closed" : "open",
      merged: pr.merged ?? false,
      head: {
        ref: pr.ref,
        repo: { full_name: pr.headRepository ?? "Octo-Org/App" },
      },
      base: { ref: "main", repo: { full_name: "Octo-Org/App" } },
    },
    repository: { full_name: "Octo-Org/App" },
    sender: { login: "octocat" },
  });
}

async function storedEvents(t: Backend) {
  return await t.run(
    async (ctx) => await ctx.db.query("githubEvents").collect(),
  );
}

async function runScheduled(t: Backend): Promise<void> {
  await t.finishAllScheduledFunctions(vi.runAllTimers);
}

/** A world whose deployment has the secret and whose project A links the repository. */
async function setup(): Promise<{ t: Backend; world: World }> {
  const { t, world } = await freshWorld();
  await setSecret(t, SECRET);
  await as(t, world.a.admin).mutation(api.github.linkRepository, {
    projectId: world.projectA,
    repository: REPOSITORY,
  });
  return { t, world };
}

/** Task AA-1 in progress, its sandbox requested: the branch is switchboard/AA-1-fix-login. */
async function taskInSandbox(t: Backend, world: World) {
  const taskId = await insertTask(t, world, {
    title: "Fix login",
    status: "in_progress",
    assigneeId: world.agent.agentId,
    lease: { holderId: world.agent.agentId, expiresAt: T0 + 60 * 60_000 },
  });
  const sandboxId = await as(t, world.a.member).mutation(
    api.sandboxes.request,
    { taskId, baseBranch: "main" },
  );
  const { branch } = await mustRead(t, "tasks", taskId);
  expect(branch).toBe("switchboard/AA-1-fix-login");
  return { taskId, sandboxId, branch: branch! };
}

describe("signature", () => {
  test("GitHub's published test vector verifies, and our signer makes it", async () => {
    // docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
    const secret = "It's a Secret to Everybody";
    const expected =
      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    const body = encode("Hello, World!");
    expect(await verifySignature(secret, expected, body)).toBe(true);
    expect(await sign(secret, "Hello, World!")).toBe(expected);

    expect(await verifySignature("another secret", expected, body)).toBe(false);
    expect(
      await verifySignature(secret, expected, encode("Hello, World")),
    ).toBe(false);
    for (const malformed of [
      null,
      "",
      expected.slice(7),
      expected.replace("sha256=", "sha1="),
      expected.slice(0, -2),
      `${expected}00`,
      expected.replace(/.$/, "g"),
    ]) {
      expect(
        await verifySignature(secret, malformed, body),
        String(malformed),
      ).toBe(false);
    }
  });

  test("a wrong, missing or stale signature is refused with 401 and nothing is stored", async () => {
    const { t } = await setup();
    const body = pullRequest("opened", { ref: "switchboard/AA-1" });
    for (const signature of [
      await sign("not the secret", body),
      null,
      "sha256=",
      // Signed for another body: the body was changed in transit.
      await sign(SECRET, pullRequest("opened", { ref: "switchboard/AA-2" })),
    ]) {
      const response = await deliver(t, { body, signature });
      expect(response.status).toBe(401);
    }
    expect(await storedEvents(t)).toEqual([]);
  });

  test("without GITHUB_WEBHOOK_SECRET the endpoint answers 503 and stores nothing", async () => {
    const { t } = await setup();
    await setSecret(t, undefined);
    const response = await deliver(t, {
      body: pullRequest("opened", { ref: "switchboard/AA-1" }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      error: expect.stringContaining("GITHUB_WEBHOOK_SECRET") as unknown,
    });
    expect(await storedEvents(t)).toEqual([]);
  });
});

describe("bad payloads", () => {
  test("a signed body that is not a JSON object is refused with 400, and not stored", async () => {
    const { t } = await setup();
    for (const body of ["payload=%7B%7D", "{not json", "[1,2]", "null"]) {
      const response = await deliver(t, { body });
      expect(response.status, body).toBe(400);
    }
    // The signature is checked first: an unsigned bad body learns only 401.
    expect((await deliver(t, { body: "{", signature: null })).status).toBe(401);
    expect(await storedEvents(t)).toEqual([]);
  });

  test("a delivery without X-GitHub-Delivery is refused with 400", async () => {
    const { t } = await setup();
    const body = pullRequest("opened", { ref: "switchboard/AA-1" });
    const response = await t.fetch("/webhooks/github", {
      method: "POST",
      headers: {
        "x-github-event": "pull_request",
        "x-hub-signature-256": await sign(SECRET, body),
      },
      body,
    });
    expect(response.status).toBe(400);
    expect(await storedEvents(t)).toEqual([]);
  });

  test("a body over the limit is refused with 413 before its signature is checked", async () => {
    const { t } = await setup();
    const body = `{"pad":"${"x".repeat(MAX_BODY_BYTES)}"}`;
    const response = await deliver(t, { body, signature: null });
    expect(response.status).toBe(413);
    expect(await storedEvents(t)).toEqual([]);
  });

  test("a pull_request payload missing its branch is stored and ignored with a note", async () => {
    const { t } = await setup();
    const response = await deliver(t, {
      body: JSON.stringify({ action: "opened", repository: {} }),
    });
    expect(response.status).toBe(200);
    await runScheduled(t);
    const [event] = await storedEvents(t);
    expect(event).toMatchObject({ status: "ignored" });
    expect(event?.note).toMatch(/Not a pull_request payload/);
  });
});

describe("pull requests move tasks", () => {
  test("opened links the task's pull request; merged moves it to done as the system", async () => {
    const { t, world } = await setup();
    const { taskId, sandboxId, branch } = await taskInSandbox(t, world);

    const opened = await deliver(t, {
      body: pullRequest("opened", { ref: branch }),
      deliveryId: "opened-1",
    });
    // Answered at once: stored, processing still to come.
    expect(opened.status).toBe(200);
    expect(await opened.json()).toEqual({ ok: true, duplicate: false });
    expect((await storedEvents(t)).map((event) => event.status)).toEqual([
      "pending",
    ]);
    expect((await mustRead(t, "tasks", taskId)).pullRequestUrl).toBeUndefined();

    await runScheduled(t);
    const url = "https://github.com/Octo-Org/App/pull/7";
    expect(await mustRead(t, "tasks", taskId)).toMatchObject({
      pullRequestUrl: url,
      status: "in_progress",
      branch,
    });
    const link = (await auditEvents(t)).find(
      (event) => event.action === "task.link_pull_request",
    );
    expect(link).toMatchObject({
      actor: "system",
      entityId: taskId,
      after: { pullRequestUrl: url },
    });

    await deliver(t, {
      body: pullRequest("closed", { ref: branch, merged: true }),
      deliveryId: "merged-1",
    });
    await runScheduled(t);
    const done = await mustRead(t, "tasks", taskId);
    expect(done.status).toBe("done");
    // As for any move to done: the lease ends and the sandbox is cleaned up.
    expect(done.lease).toBeUndefined();
    expect((await mustRead(t, "sandboxes", sandboxId)).status).toBe("cleaning");
    const move = (await auditEvents(t)).find(
      (event) => event.action === "task.move" && event.entityId === taskId,
    );
    expect(move).toMatchObject({
      actor: "system",
      before: { status: "in_progress" },
      after: { status: "done" },
    });

    const events = await as(t, world.a.viewer).query(api.github.events, {
      projectId: world.projectA,
    });
    expect(
      events.map(({ deliveryId, action, status, taskKey }) => ({
        deliveryId,
        action,
        status,
        taskKey,
      })),
    ).toEqual([
      {
        deliveryId: "merged-1",
        action: "closed",
        status: "processed",
        taskKey: "AA-1",
      },
      {
        deliveryId: "opened-1",
        action: "opened",
        status: "processed",
        taskKey: "AA-1",
      },
    ]);
  });

  test("a sandbox-style branch finds its task by key when the task records no branch", async () => {
    const { t, world } = await setup();
    const taskId = await insertTask(t, world, { status: "in_review" });
    await deliver(t, {
      body: pullRequest("ready_for_review", { ref: "switchboard/AA-1-login" }),
    });
    await runScheduled(t);
    expect(await mustRead(t, "tasks", taskId)).toMatchObject({
      branch: "switchboard/AA-1-login",
      pullRequestUrl: "https://github.com/Octo-Org/App/pull/7",
    });
  });

  test("a replayed delivery id answers 200 duplicate and is processed once", async () => {
    const { t, world } = await setup();
    const { taskId, branch } = await taskInSandbox(t, world);
    const body = pullRequest("closed", { ref: branch, merged: true });
    const first = await deliver(t, { body, deliveryId: "same" });
    const replay = await deliver(t, { body, deliveryId: "same" });
    expect(await first.json()).toEqual({ ok: true, duplicate: false });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ ok: true, duplicate: true });
    await runScheduled(t);

    // Reopened by a person; a later replay of the merge must not close it again.
    await as(t, world.a.member).mutation(api.tasks.move, {
      taskId,
      status: "todo",
    });
    expect((await deliver(t, { body, deliveryId: "same" })).status).toBe(200);
    await runScheduled(t);
    expect((await mustRead(t, "tasks", taskId)).status).toBe("todo");
    expect(await storedEvents(t)).toHaveLength(1);
    const moves = (await auditEvents(t)).filter(
      (event) => event.action === "task.move" && event.actor === "system",
    );
    expect(moves).toHaveLength(1);
  });

  test("a merge the state machine does not allow is ignored, with the reason", async () => {
    const { t, world } = await setup();
    const taskId = await insertTask(t, world, {
      status: "backlog",
      branch: "feature/login",
    });
    await deliver(t, {
      body: pullRequest("closed", { ref: "feature/login", merged: true }),
    });
    await runScheduled(t);
    expect((await mustRead(t, "tasks", taskId)).status).toBe("backlog");
    const [event] = await storedEvents(t);
    expect(event).toMatchObject({ status: "ignored", taskId, taskKey: "AA-1" });
    expect(event?.note).toMatch(
      /stays backlog.*cannot move from backlog to done/,
    );
  });

  test("closed without merging, a fork's branch and ping change nothing", async () => {
    const { t, world } = await setup();
    const { taskId, branch } = await taskInSandbox(t, world);
    await deliver(t, { body: pullRequest("closed", { ref: branch }) });
    await deliver(t, {
      body: pullRequest("opened", {
        ref: branch,
        headRepository: "mallory/app",
      }),
    });
    await deliver(t, {
      event: "ping",
      body: JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 }),
    });
    await runScheduled(t);
    const task = await mustRead(t, "tasks", taskId);
    expect(task.status).toBe("in_progress");
    expect(task.pullRequestUrl).toBeUndefined();
    const notes = (await storedEvents(t)).map((event) => [
      event.event,
      event.status,
      event.note,
    ]);
    expect(notes).toEqual([
      ["pull_request", "ignored", expect.stringMatching(/without merging/)],
      [
        "pull_request",
        "ignored",
        expect.stringMatching(/fork \(mallory\/app\)/),
      ],
      ["ping", "ignored", expect.stringMatching(/ping/)],
    ]);
  });

  test("a repository linked to no project is stored and ignored with a note", async () => {
    const { t, world } = await setup();
    await as(t, world.a.admin).mutation(api.github.unlinkRepository, {
      projectId: world.projectA,
      repository: REPOSITORY,
    });
    const { taskId, branch } = await taskInSandbox(t, world);
    await deliver(t, { body: pullRequest("opened", { ref: branch }) });
    await runScheduled(t);
    expect((await mustRead(t, "tasks", taskId)).pullRequestUrl).toBeUndefined();
    const [event] = await storedEvents(t);
    expect(event).toMatchObject({
      status: "ignored",
      note: "octo-org/app is not linked to any project.",
    });
  });

  test("a repository linked only to org B's project does not touch org A's task on that branch", async () => {
    const { t, world } = await freshWorld();
    await setSecret(t, SECRET);
    await insertGithubLink(t, world, REPOSITORY, world.projectB);
    const taskId = await insertTask(t, world, {
      status: "in_progress",
      branch: "feature/login",
    });
    for (const [action, merged] of [
      ["opened", false],
      ["closed", true],
    ] as const) {
      await deliver(t, {
        body: pullRequest(action, { ref: "feature/login", merged }),
      });
    }
    // The sandbox-style name of org A's task too.
    await deliver(t, {
      body: pullRequest("opened", { ref: "switchboard/AA-1" }),
    });
    await runScheduled(t);
    const task = await mustRead(t, "tasks", taskId);
    expect(task.status).toBe("in_progress");
    expect(task.pullRequestUrl).toBeUndefined();
    for (const event of await storedEvents(t)) {
      expect(event).toMatchObject({
        status: "ignored",
        projectId: world.projectB,
      });
      expect(event.taskId).toBeUndefined();
    }
    // Org A sees none of it; org B sees why nothing happened.
    expect(
      await as(t, world.a.owner).query(api.github.events, {
        projectId: world.projectA,
      }),
    ).toEqual([]);
    expect(
      await as(t, world.bOwner).query(api.github.events, {
        projectId: world.projectB,
      }),
    ).toHaveLength(3);
  });

  test("a processing failure is kept on the event as failed, with its reason", async () => {
    const { t } = await setup();
    // Unreachable through the endpoint (it refuses non-JSON): a stored payload that breaks processing.
    const eventId: Id<"githubEvents"> = await t.run(
      async (ctx) =>
        await ctx.db.insert("githubEvents", {
          deliveryId: "broken",
          event: "pull_request",
          payload: "{",
          receivedAt: Date.now(),
          status: "pending",
        }),
    );
    await t.action(internal.githubWebhooks.process, { eventId });
    const event = await mustRead(t, "githubEvents", eventId);
    expect(event.status).toBe("failed");
    expect(event.note).toMatch(/^Processing failed: .*JSON/);
  });

  test("GitHub's Redeliver of a delivery that failed is processed again", async () => {
    const { t, world } = await setup();
    const { taskId, branch } = await taskInSandbox(t, world);
    const body = pullRequest("closed", { ref: branch, merged: true });
    // The first attempt failed while processing (as the test above does).
    await t.run(async (ctx) => {
      await ctx.db.insert("githubEvents", {
        deliveryId: "redelivered",
        event: "pull_request",
        payload: "{",
        receivedAt: Date.now(),
        status: "failed",
        note: "Processing failed: bad JSON",
      });
    });
    const again = await deliver(t, { body, deliveryId: "redelivered" });
    expect(await again.json()).toEqual({ ok: true, duplicate: false });
    await runScheduled(t);
    expect((await mustRead(t, "tasks", taskId)).status).toBe("done");
    const [event] = await storedEvents(t);
    expect(event).toMatchObject({
      deliveryId: "redelivered",
      status: "processed",
    });
  });

  test("the daily prune drops deliveries older than 30 days and keeps newer ones", async () => {
    const { t } = await setup();
    const at = (daysAgo: number) => Date.now() - daysAgo * 24 * 60 * 60_000;
    await t.run(async (ctx) => {
      for (const [deliveryId, daysAgo] of [
        ["old", 31],
        ["recent", 29],
      ] as const) {
        await ctx.db.insert("githubEvents", {
          deliveryId,
          event: "ping",
          payload: "{}",
          receivedAt: at(daysAgo),
          status: "ignored",
        });
      }
    });
    expect(await t.mutation(internal.githubWebhooks.pruneEvents, {})).toBe(1);
    expect((await storedEvents(t)).map((event) => event.deliveryId)).toEqual([
      "recent",
    ]);
    expect(crons.crons["prune GitHub deliveries"]).toMatchObject({
      name: "githubWebhooks:pruneEvents",
      schedule: { type: "daily", hourUTC: 3 },
    });
  });
});
