/** The control plane's logic against fake clients, a fake local backend and a fake exchange. */
import { afterEach, describe, expect, test } from "vitest";
import { api } from "../../../../convex/_generated/api";
import type { Id } from "../../../../convex/_generated/dataModel";
import type { ConnectionState, Session } from "../../../../extension/contracts";
import {
  ConvexControlPlane,
  NotConnectedError,
  type ControlPlaneOptions,
} from "../../../../extension/connection/controlPlane";
import type { BackendSettings } from "../../../../extension/connection/settings";
import {
  BackendUnavailableError,
  NotConfiguredError,
} from "../../../../mcp-server/errors";
import {
  ClientPool,
  exchanged,
  FakeLocalBackend,
  MemoryLog,
  state,
  waitFor,
} from "./fakes";

const planes: ConvexControlPlane[] = [];
afterEach(() => {
  for (const plane of planes.splice(0)) plane.dispose();
});

interface Setup {
  plane: ConvexControlPlane;
  pool: ClientPool;
  local: FakeLocalBackend;
  log: MemoryLog;
  states: ConnectionState[];
  sessions: (Session | null)[];
  settings: { value: BackendSettings };
  secret: { value: string | undefined };
  exchanges: string[];
}

function setup(overrides: Partial<ControlPlaneOptions> = {}): Setup {
  const pool = new ClientPool();
  const local = new FakeLocalBackend();
  const log = new MemoryLog();
  const settings = { value: { backendUrl: "", siteUrl: "" } };
  const secret: { value: string | undefined } = { value: undefined };
  const exchanges: string[] = [];
  const plane = new ConvexControlPlane({
    log,
    settings: () => settings.value,
    readSecret: () => Promise.resolve(secret.value),
    local,
    createClient: pool.create,
    exchange: (siteUrl) => {
      exchanges.push(siteUrl);
      return Promise.resolve(exchanged(siteUrl));
    },
    timing: {
      callTimeoutMs: 200,
      relocateAfterMs: 20,
      retryBaseMs: 30,
      retryMaxMs: 60,
    },
    ...overrides,
  });
  planes.push(plane);
  const states: ConnectionState[] = [];
  const sessions: (Session | null)[] = [];
  plane.onDidChangeState((s) => states.push(s));
  plane.onDidChangeSession((s) => sessions.push(s));
  return {
    plane,
    pool,
    local,
    log,
    states,
    sessions,
    settings,
    secret,
    exchanges,
  };
}

describe("local backend", () => {
  test("finds the backend, signs in as its owner, loads the session", async () => {
    const { plane, pool, local, states, exchanges } = setup();
    await plane.start();
    expect(plane.state.status).toBe("connected");
    expect(plane.session).toEqual({
      backend: "local",
      url: "http://127.0.0.1:3210",
      siteUrl: "http://127.0.0.1:3211",
      dataDir: local.dataDir,
      userId: "u1",
      userName: "Ada",
      orgId: "o1",
      projectId: "p1",
      projectKey: "SB",
    });
    expect(states.map((s) => s.status)).toEqual(["starting", "connected"]);
    expect(plane.state.detail).toContain("as Ada, project SB");
    expect(exchanges).toEqual(["http://127.0.0.1:3211"]);
    expect(pool.clients.map((c) => c.url)).toEqual(["http://127.0.0.1:3210"]);
    expect(await pool.last.fetchToken?.({ forceRefreshToken: false })).toBe(
      "jwt@http://127.0.0.1:3211",
    );
    expect(await plane.getToken(false)).toBe("jwt@http://127.0.0.1:3211");
  });

  test("a call made while starting waits for the connection", async () => {
    const { plane } = setup();
    const started = plane.start();
    const projects = plane.query(api.projects.list, {
      orgId: "o1" as Id<"orgs">,
    });
    await started;
    expect((await projects).map((p) => p.key)).toEqual(["SB"]);
  });

  test("lost socket: reconnecting, then connected again on the same client", async () => {
    const { plane, pool, states, local } = setup({
      timing: { relocateAfterMs: 10_000 },
    });
    await plane.start();
    pool.last.setConnected(false);
    expect(plane.state.status).toBe("reconnecting");
    expect(plane.session).not.toBeNull();
    pool.last.setConnected(true);
    expect(plane.state.status).toBe("connected");
    expect(pool.clients).toHaveLength(1);
    expect(local.starts).toBe(1);
    expect(states.map((s) => s.status)).toEqual([
      "starting",
      "connected",
      "reconnecting",
      "connected",
    ]);
  });

  test("backend back on other ports: new client, new session, watches follow", async () => {
    const { plane, pool, local, sessions, exchanges } = setup();
    const seen: unknown[] = [];
    plane.watch(
      api.me.get,
      () => ({}),
      (me) => seen.push(me.name),
    );
    await plane.start();
    await waitFor(() => seen.length === 1, "first value");
    const first = pool.last;
    local.next = state(4000);
    first.setConnected(false);
    await waitFor(
      () => plane.session?.url === "http://127.0.0.1:4000",
      "relocation",
    );
    expect(plane.state.status).toBe("connected");
    expect(first.closed).toBe(true);
    expect(first.active()).toHaveLength(0);
    expect(pool.last.url).toBe("http://127.0.0.1:4000");
    expect(exchanges).toEqual([
      "http://127.0.0.1:3211",
      "http://127.0.0.1:4001",
    ]);
    // One change straight to the new session, no null in between.
    expect(sessions.map((s) => s?.url ?? null)).toEqual([
      "http://127.0.0.1:3210",
      "http://127.0.0.1:4000",
    ]);
    await waitFor(() => seen.length === 2, "value from the new client");
    expect(pool.last.active().map((s) => s.name)).toEqual(["me:get"]);
  });

  test("backend back on the same ports: the client's own reconnect is left to work", async () => {
    const { plane, pool, local } = setup();
    await plane.start();
    pool.last.setConnected(false);
    await waitFor(() => local.starts >= 2, "a lookup of state.json");
    expect(pool.clients).toHaveLength(1);
    pool.last.setConnected(true);
    expect(plane.state.status).toBe("connected");
  });

  test("backend cannot be started again: stays reconnecting and keeps trying", async () => {
    const { plane, pool, local, log } = setup();
    await plane.start();
    local.next = new Error("port trouble");
    pool.last.setConnected(false);
    await waitFor(() => local.starts >= 3, "repeated lookups");
    expect(plane.state.status).toBe("reconnecting");
    expect(plane.state.detail).toContain("port trouble");
    expect(log.text()).toContain(
      "Could not reach the local backend again: port trouble",
    );
  });

  test("a start failure is shown, not retried on its own", async () => {
    const { BackendStartError } =
      await import("../../../../extension/connection/localBackend");
    const { plane, local } = setup();
    local.next = new BackendStartError(
      "The local backend stopped while starting (exit code 1). Last output:\nboom",
    );
    await plane.start();
    expect(plane.state).toMatchObject({ status: "failed" });
    expect(plane.state.detail).toContain("boom");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(local.starts).toBe(1);
    await expect(plane.query(api.me.get, {})).rejects.toThrow(
      /not connected.*boom/s,
    );
  });

  test("no owner token: failed with where it looked", async () => {
    const { plane, local } = setup();
    local.token = null;
    await plane.start();
    expect(plane.state.status).toBe("failed");
    expect(plane.state.detail).toContain("/data/backend/owner-token");
  });

  test("dispose closes the client and the local backend it owns", async () => {
    const { plane, pool, local } = setup();
    await plane.start();
    plane.dispose();
    expect(pool.last.closed).toBe(true);
    expect(local.disposed).toBe(true);
    await expect(plane.query(api.me.get, {})).rejects.toBeInstanceOf(
      NotConnectedError,
    );
  });
});

describe("remote deployment", () => {
  test("no stored token: signedOut, and calls say what to do", async () => {
    const { plane, settings, pool } = setup();
    settings.value = {
      backendUrl: "https://happy-otter-123.convex.cloud",
      siteUrl: "",
    };
    await plane.start();
    expect(plane.state.status).toBe("signedOut");
    expect(plane.state.detail).toContain("Switchboard: Switch Backend");
    expect(plane.session).toBeNull();
    expect(pool.clients).toHaveLength(0);
    expect(await plane.getToken(false)).toBeNull();
    await expect(
      plane.mutation(api.orgs.create, { name: "x" }),
    ).rejects.toThrow(/Switch Backend/);
  });

  test("with a token: site URL derived, session marked remote", async () => {
    const { plane, settings, secret, exchanges, local } = setup();
    settings.value = {
      backendUrl: "https://happy-otter-123.convex.cloud/",
      siteUrl: "",
    };
    secret.value = "sbu_person";
    await plane.start();
    expect(plane.state.status).toBe("connected");
    expect(plane.session).toMatchObject({
      backend: "remote",
      url: "https://happy-otter-123.convex.cloud",
      siteUrl: "https://happy-otter-123.convex.site",
    });
    expect(plane.session?.dataDir).toBeUndefined();
    expect(exchanges).toEqual(["https://happy-otter-123.convex.site"]);
    expect(local.starts).toBe(0);
  });

  test("a lost socket is not relocated (the client reconnects to the same URL)", async () => {
    const { plane, settings, secret, pool, local } = setup();
    settings.value = { backendUrl: "https://a.convex.cloud", siteUrl: "" };
    secret.value = "sbu_person";
    await plane.start();
    pool.last.setConnected(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(plane.state.status).toBe("reconnecting");
    expect(local.starts).toBe(0);
    expect(pool.clients).toHaveLength(1);
  });

  test("a refused token: failed with the way out, no retry", async () => {
    let calls = 0;
    const { plane, settings, secret } = setup({
      exchange: () => {
        calls++;
        return Promise.reject(
          new NotConfiguredError("SWITCHBOARD_TOKEN was refused"),
        );
      },
    });
    settings.value = { backendUrl: "https://a.convex.cloud", siteUrl: "" };
    secret.value = "sbu_revoked";
    await plane.start();
    expect(plane.state.status).toBe("failed");
    expect(plane.state.detail).toContain("refused the stored sign-in token");
    expect(plane.state.detail).not.toContain("SWITCHBOARD_TOKEN");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
  });

  test("an agent token is refused", async () => {
    const { plane, settings, secret } = setup({
      exchange: (siteUrl) => Promise.resolve(exchanged(siteUrl, "agent")),
    });
    settings.value = { backendUrl: "https://a.convex.cloud", siteUrl: "" };
    secret.value = "sba_agent";
    await plane.start();
    expect(plane.state.status).toBe("failed");
    expect(plane.state.detail).toContain("belongs to an agent");
  });

  test("an unreachable token endpoint is retried with backoff until it answers", async () => {
    let calls = 0;
    const { plane, settings, secret } = setup({
      exchange: (siteUrl) => {
        calls++;
        return calls < 3
          ? Promise.reject(new BackendUnavailableError("Could not reach it"))
          : Promise.resolve(exchanged(siteUrl));
      },
    });
    settings.value = { backendUrl: "https://a.convex.cloud", siteUrl: "" };
    secret.value = "sbu_person";
    await plane.start();
    expect(plane.state.status).toBe("failed");
    expect(plane.state.detail).toMatch(
      /Could not reach it Retrying in \d+ s\./,
    );
    await waitFor(
      () => plane.state.status === "connected",
      "connected after retries",
    );
    expect(calls).toBe(3);
  });

  test("an invalid URL setting fails with the setting's name", async () => {
    const { plane, settings } = setup();
    settings.value = { backendUrl: "ftp://x", siteUrl: "" };
    await plane.start();
    expect(plane.state).toMatchObject({ status: "failed" });
    expect(plane.state.detail).toContain("switchboard.backendUrl");
  });

  test("a self-hosted URL needs switchboard.siteUrl", async () => {
    const { plane, settings, secret } = setup();
    settings.value = { backendUrl: "https://convex.example.com", siteUrl: "" };
    secret.value = "sbu_person";
    await plane.start();
    expect(plane.state.detail).toContain("switchboard.siteUrl");
    settings.value = {
      backendUrl: "https://convex.example.com",
      siteUrl: "https://site.example.com",
    };
    await plane.restartIfSettingsChanged();
    expect(plane.state.status).toBe("connected");
    expect(plane.session?.siteUrl).toBe("https://site.example.com");
  });
});

describe("calls and timeouts", () => {
  test("a socket that never comes up: the sign-in times out and is retried", async () => {
    const { plane, pool } = setup();
    pool.autoConnect = false;
    const started = Date.now();
    await plane.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(plane.state.status).toBe("failed");
    expect(plane.state.detail).toMatch(/has not answered for 0 s|not answered/);
    expect(pool.clients[0]?.closed).toBe(true);
    pool.autoConnect = true;
    await waitFor(
      () => plane.state.status === "connected",
      "connected on retry",
    );
  });

  test("a call while the socket stays down rejects after the timeout, naming the function", async () => {
    const { plane, pool } = setup({
      timing: { relocateAfterMs: 60_000, callTimeoutMs: 100 },
    });
    await plane.start();
    pool.last.setConnected(false);
    await expect(
      plane.mutation(api.orgs.create, { name: "x" }),
    ).rejects.toThrow(
      /mutation orgs:create: Switchboard at http:\/\/127\.0\.0\.1:3210 has not answered .*may still be applied/,
    );
  });

  test("a call waiting for a first connection rejects after the timeout", async () => {
    const { plane, local } = setup();
    local.ensureRunning = () => new Promise(() => undefined);
    void plane.start();
    await expect(plane.query(api.me.get, {})).rejects.toThrow(
      /did not connect within 0 s \(query me:get\)|did not connect/,
    );
  });

  test("query errors reach the caller as they are", async () => {
    const { plane, pool } = setup();
    pool.handlers["tasks:get"] = () => {
      throw new Error("NOT_FOUND-ish");
    };
    await plane.start();
    await expect(
      plane.query(api.tasks.get, { taskId: "t1" as Id<"tasks"> }),
    ).rejects.toThrow("NOT_FOUND-ish");
  });
});

describe("watch", () => {
  test("args follow the session; skip parks the watch; dispose stops it", async () => {
    const { plane, pool, settings, secret } = setup();
    const projects: string[][] = [];
    const watch = plane.watch(
      api.projects.list,
      (session) =>
        session.backend === "remote"
          ? "skip"
          : { orgId: session.orgId as Id<"orgs"> },
      (list) => projects.push(list.map((p) => p.key)),
    );
    await plane.start();
    await waitFor(() => projects.length === 1, "a value");
    expect(pool.last.active()[0]?.args).toEqual({ orgId: "o1" });
    settings.value = { backendUrl: "https://a.convex.cloud", siteUrl: "" };
    secret.value = "sbu_person";
    await plane.restart();
    expect(pool.clients[0]?.active()).toHaveLength(0);
    expect(pool.last.active()).toHaveLength(0);
    settings.value = { backendUrl: "", siteUrl: "" };
    await plane.restart();
    await waitFor(() => projects.length === 2, "a value after the restart");
    watch.dispose();
    expect(pool.last.active()).toHaveLength(0);
  });

  test("query errors go to onError; a throwing onValue does not break the others", async () => {
    const { plane, pool, log } = setup();
    pool.handlers["tasks:get"] = () => {
      throw new Error("gone");
    };
    const errors: string[] = [];
    const values: unknown[] = [];
    plane.watch(
      api.tasks.get,
      () => ({ taskId: "t1" as Id<"tasks"> }),
      () => undefined,
      (e) => errors.push(e.message),
    );
    plane.watch(
      api.me.get,
      () => ({}),
      () => {
        throw new Error("listener bug");
      },
    );
    plane.watch(
      api.me.get,
      () => ({}),
      (me) => values.push(me),
    );
    await plane.start();
    await waitFor(
      () => errors.length === 1 && values.length === 1,
      "deliveries",
    );
    expect(errors).toEqual(["gone"]);
    expect(log.text()).toContain("listener bug");
  });
});

describe("restart", () => {
  test("closes the old client, passes through starting, and reconnects", async () => {
    const { plane, pool, states, sessions } = setup();
    await plane.start();
    await plane.restart();
    expect(pool.clients).toHaveLength(2);
    expect(pool.clients[0]?.closed).toBe(true);
    expect(states.map((s) => s.status)).toEqual([
      "starting",
      "connected",
      "starting",
      "connected",
    ]);
    expect(sessions.map((s) => s?.projectKey ?? null)).toEqual([
      "SB",
      null,
      "SB",
    ]);
  });

  test("a restart during a start wins; the old attempt leaves no client behind", async () => {
    const { plane, pool, local } = setup();
    let release: (value: ReturnType<typeof state>) => void = () => undefined;
    local.ensureRunning = () => new Promise((resolve) => (release = resolve));
    const first = plane.start();
    local.ensureRunning = () => Promise.resolve(state(5000));
    await plane.restart();
    release(state(3210));
    await first;
    expect(plane.session?.url).toBe("http://127.0.0.1:5000");
    expect(pool.clients.map((c) => c.url)).toEqual(["http://127.0.0.1:5000"]);
  });

  test("restartIfSettingsChanged does nothing when they did not", async () => {
    const { plane, pool } = setup();
    await plane.start();
    await plane.restartIfSettingsChanged();
    expect(pool.clients).toHaveLength(1);
  });

  test("remembered project wins when visible", async () => {
    const { plane, pool } = setup({ preferredProjectId: () => "p2" });
    pool.handlers["projects:list"] = () => [
      { _id: "p1", key: "SB" },
      { _id: "p2", key: "WEB" },
    ];
    await plane.start();
    expect(plane.session?.projectKey).toBe("WEB");
  });
});
