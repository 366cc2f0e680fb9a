/**
 * Convex's sync protocol against the real backend process, spoken by the
 * official ConvexClient: live updates between clients, read-your-writes,
 * reconnects across restarts and crashes, mutations in flight when the
 * connection drops, auth failures, hostile frames, and scheduled jobs that
 * came due while the backend was down.
 */
import type { ConvexClient } from "convex/browser";
import { ConvexError } from "convex/values";
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test,
} from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import {
  Backend,
  disposeAll,
  healthOk,
  sleep,
  waitFor,
  withTimeout,
} from "./backendProcess";
import { rawExchange } from "./rawSync";
import { subscribe } from "../../support/subscribe";
import { TcpProxy } from "./tcpProxy";
import {
  countTitles,
  listAllTasks,
  ownerWorkspace,
  type Workspace,
} from "./workspace";

/** The client backs off up to 16 s between attempts; a restart takes ~2-5 s here. */
const RECONNECT_TIMEOUT_MS = 40_000;

let backend: Backend;
let ws: Workspace;
let unique = 0;
const title = (what: string): string => `${what}-${++unique}-${Date.now()}`;

beforeAll(async () => {
  backend = await Backend.start();
  ws = await ownerWorkspace(backend);
});
beforeEach(async () => {
  // A test that failed mid-restart must not take the rest down with it.
  if (!backend.isRunning()) await backend.restart({ samePorts: true });
});
afterAll(async () => {
  await disposeAll();
});

function readyTasks(client: ConvexClient) {
  return subscribe(client, api.tasks.listReady, {
    projectId: ws.projectId,
    limit: 100,
  });
}

const hasTitle =
  (wanted: string) =>
  (tasks: readonly { title: string }[] | undefined): boolean =>
    tasks?.some((task) => task.title === wanted) ?? false;

async function tasksTitled(wanted: string): Promise<number> {
  const tasks = await listAllTasks(backend.httpClient(ws.jwt), ws.projectId);
  return countTitles(tasks).get(wanted) ?? 0;
}

describe("live queries", () => {
  test("a client sees another client's write within a second", async () => {
    const a = backend.client({ jwt: ws.jwt });
    const b = backend.client({ jwt: ws.jwt });
    const seen = readyTasks(a);
    await waitFor(() => seen.values.length > 0, 10_000, "A's first result");

    const wanted = title("from-b");
    const sentAt = Date.now();
    await b.mutation(api.tasks.create, {
      projectId: ws.projectId,
      title: wanted,
    });
    await waitFor(
      () => hasTitle(wanted)(seen.latest()),
      1000,
      "A to see B's task",
    );
    expect(Date.now() - sentAt).toBeLessThan(1000);
  });

  test("when a mutation resolves, the same client's subscription already shows it", async () => {
    const a = backend.client({ jwt: ws.jwt });
    const seen = readyTasks(a);
    await waitFor(() => seen.values.length > 0, 10_000, "the first result");
    for (let i = 0; i < 5; i++) {
      const wanted = title("own-write");
      const shownAtResolve = await a
        .mutation(api.tasks.create, { projectId: ws.projectId, title: wanted })
        .then(() => hasTitle(wanted)(seen.latest()));
      expect(
        shownAtResolve,
        `write ${i} not visible when its promise resolved`,
      ).toBe(true);
    }
    expect(seen.errors).toEqual([]);
  });
});

describe("reconnects", () => {
  for (const how of ["SIGTERM", "SIGKILL"] as const) {
    test(`a subscription resumes by itself after a restart (${how})`, async () => {
      const a = backend.client({ jwt: ws.jwt });
      const seen = readyTasks(a);
      await waitFor(() => seen.values.length > 0, 10_000, "the first result");
      const connectionsBefore = a.connectionState().connectionCount;

      if (how === "SIGTERM") await backend.stop();
      else await backend.kill();
      // Same data dir and ports, so the client's URL (and the JWT's issuer) stay valid.
      await backend.restart({ samePorts: true });

      const wanted = title(`after-${how}`);
      await backend
        .httpClient(ws.jwt)
        .mutation(api.tasks.create, { projectId: ws.projectId, title: wanted });
      await waitFor(
        () => hasTitle(wanted)(seen.latest()),
        RECONNECT_TIMEOUT_MS,
        "the resubscribed query to show a write made after the restart",
      );
      expect(a.connectionState().connectionCount).toBeGreaterThan(
        connectionsBefore,
      );
      expect(a.connectionState().isWebSocketConnected).toBe(true);
      // The restart is not an error the subscriber sees.
      expect(seen.errors).toEqual([]);
    });
  }
});

/**
 * A mutation whose connection drops before its reply arrives is resent by the
 * ConvexClient on reconnect with the same session id and request id; the
 * backend must answer with the first outcome instead of applying it again.
 */
describe("mutations in flight when the connection drops", () => {
  let proxy: TcpProxy | null = null;
  afterAll(async () => {
    await proxy?.close();
  });

  test("committed, reply lost, backend killed: the resent mutation is applied once", async () => {
    proxy = await TcpProxy.start(backend.url);
    const a = backend.client({ jwt: ws.jwt, url: proxy.url });
    const seen = readyTasks(a);
    await waitFor(() => seen.values.length > 0, 10_000, "the first result");

    // From here the backend hears the client but the client hears nothing back.
    proxy.swallowReplies = true;
    const wanted = title("reply-lost");
    const pending = a.mutation(api.tasks.create, {
      projectId: ws.projectId,
      title: wanted,
    });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    // The write is durable (another client reads it) while its reply is lost.
    await waitFor(
      async () => (await tasksTitled(wanted)) === 1,
      10_000,
      "the commit",
    );
    expect(settled).toBe(false);

    // Crash now: the record that this request was applied must be durable too.
    await backend.kill();
    proxy.dropAll();
    await backend.restart({ samePorts: true });

    const taskId = await withTimeout(
      pending,
      RECONNECT_TIMEOUT_MS,
      "the resent mutation to resolve",
    );
    expect(await tasksTitled(wanted)).toBe(1);
    const stored = await backend
      .httpClient(ws.jwt)
      .query(api.tasks.get, { taskId });
    expect(stored.title).toBe(wanted);
  });

  test("kill -9 right after sending: once the client's retry completes, the task exists exactly once", async () => {
    // Whether each mutation reached the backend (and was committed) before the
    // kill is down to timing this test does not control; the delays vary it.
    const a = backend.client({ jwt: ws.jwt });
    const seen = readyTasks(a);
    await waitFor(() => seen.values.length > 0, 10_000, "the first result");
    for (const delayMs of [0, 5, 30]) {
      const wanted = title(`in-flight-${delayMs}ms`);
      const pending = a.mutation(api.tasks.create, {
        projectId: ws.projectId,
        title: wanted,
      });
      if (delayMs > 0) await sleep(delayMs);
      await backend.kill();
      await backend.restart({ samePorts: true });
      const taskId: Id<"tasks"> = await withTimeout(
        pending,
        RECONNECT_TIMEOUT_MS,
        `the mutation sent ${delayMs} ms before the kill to resolve`,
      );
      expect(
        await tasksTitled(wanted),
        `after a kill ${delayMs} ms after sending`,
      ).toBe(1);
      expect(
        (await backend.httpClient(ws.jwt).query(api.tasks.get, { taskId }))
          .title,
      ).toBe(wanted);
    }
  });
});

describe("auth failures", () => {
  test("a garbage or forged JWT is refused, queries fail UNAUTHENTICATED, and the backend stays up", async () => {
    const [header, payload] = ws.jwt.split(".");
    const forged = `${header}.${payload}.${"A".repeat(342)}`;
    for (const jwt of ["not-a-jwt", forged]) {
      const authChanges: boolean[] = [];
      const client = backend.client({
        jwt,
        onAuthChange: (isAuthenticated) => authChanges.push(isAuthenticated),
      });
      const orgs = subscribe(client, api.orgs.listMine, {});
      await waitFor(() => authChanges.length > 0, 15_000, "the auth callback");
      expect(authChanges).toEqual([false]);
      const error = await waitFor(
        () => orgs.errors[0],
        15_000,
        "a query error",
      );
      expect(error).toBeInstanceOf(ConvexError);
      expect((error as ConvexError<{ code: string }>).data.code).toBe(
        "UNAUTHENTICATED",
      );
      expect(orgs.values).toEqual([]);
      await backend.closeClient(client);
    }

    // Over HTTP: a bad bearer token is refused outright; no token at all
    // reaches the function, whose guard answers UNAUTHENTICATED.
    await expect(
      backend.httpClient("not-a-jwt").query(api.orgs.listMine, {}),
    ).rejects.toThrow(/Unauthenticated|token/i);
    const anonymous = await backend
      .httpClient()
      .query(api.orgs.listMine, {})
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(anonymous).toBeInstanceOf(ConvexError);
    expect((anonymous as ConvexError<{ code: string }>).data.code).toBe(
      "UNAUTHENTICATED",
    );

    expect(backend.isRunning()).toBe(true);
    expect(await healthOk(backend.url)).toBe(true);
    const good = backend.client({ jwt: ws.jwt });
    expect((await good.query(api.orgs.listMine, {})).length).toBeGreaterThan(0);
  });
});

describe("malformed frames", () => {
  test("garbage, wrong JSON and unknown messages get an error and a close; others are unaffected", async () => {
    const watcher = backend.client({ jwt: ws.jwt });
    const seen = readyTasks(watcher);
    await waitFor(() => seen.values.length > 0, 10_000, "the first result");

    const connect = JSON.stringify({
      type: "Connect",
      sessionId: "00000000-0000-4000-8000-000000000000",
      connectionCount: 0,
      lastCloseReason: "InitialConnect",
      clientTs: Date.now(),
    });
    const cases: (string | Buffer)[][] = [
      ["this is not json"],
      ["[1,2,3]"],
      ['{"type":"Connect","sessionId":5}'],
      [connect, JSON.stringify({ type: "Teleport" })],
      [connect, JSON.stringify({ type: "ModifyQuerySet", baseVersion: "x" })],
      [Buffer.from([0xff, 0x00, 0xfe, 0x01])],
    ];
    for (const frames of cases) {
      const { messages, closeCode } = await rawExchange(backend.url, frames);
      const label = JSON.stringify(frames.map(String));
      expect(closeCode, `close for ${label}`).not.toBe(-1);
      expect(closeCode, `close for ${label}`).not.toBe(1000);
      expect(
        messages.some((m) => m.type === "FatalError"),
        `error frame for ${label}`,
      ).toBe(true);
    }

    expect(backend.isRunning()).toBe(true);
    expect(await healthOk(backend.url)).toBe(true);
    // The watcher's connection was not disturbed, and a new client works.
    const wanted = title("after-garbage");
    await backend.client({ jwt: ws.jwt }).mutation(api.tasks.create, {
      projectId: ws.projectId,
      title: wanted,
    });
    await waitFor(
      () => hasTitle(wanted)(seen.latest()),
      5000,
      "the watcher's update",
    );
  });
});

describe("scheduled functions across a restart", () => {
  test("an approval whose deadline passed while the backend was down expires when it starts", async () => {
    const client = backend.httpClient(ws.jwt);
    const ttlMs = 2000;
    const approvalId = await client.mutation(api.approvals.request, {
      projectId: ws.projectId,
      kind: "deploy",
      summary: "Ship it?",
      ttlMs,
    });
    const requested = await client.query(api.approvals.get, { approvalId });
    expect(requested.status).toBe("pending");
    const deadline = requested.policy.expiresAt;

    await backend.stop();
    // Otherwise the job may have run before the backend went down, proving nothing.
    expect(Date.now(), "the backend took too long to stop").toBeLessThan(
      deadline,
    );
    await sleep(deadline - Date.now() + 500);
    await backend.restart({ samePorts: true });

    const settled = await waitFor(
      async () => {
        const approval = await backend
          .httpClient(ws.jwt)
          .query(api.approvals.get, { approvalId });
        return approval.status === "pending" ? null : approval;
      },
      5000,
      "the overdue expiry job",
    );
    expect(settled.status).toBe("expired");
    expect(settled.resolverId).toBe("system");
  });
});
