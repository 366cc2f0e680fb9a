/**
 * The control plane against the real local backend, as the extension runs it
 * minus VS Code: LocalBackend starts `switchboard-backend serve` (from source,
 * through tsx), the real ConvexClient over `ws`, the real token exchange. Then
 * the backend is killed and must be found again on new ports, with every watch
 * resubscribed. Slower than the other unit tests (two backend starts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../../../convex/_generated/api";
import type { Id } from "../../../../convex/_generated/dataModel";
import { convexClientFactory } from "../../../../extension/connection/convexClient";
import { ConvexControlPlane } from "../../../../extension/connection/controlPlane";
import {
  LocalBackend,
  type BackendCommand,
} from "../../../../extension/connection/localBackend";
import { runSeed } from "../../../../extension/connection/seed";
import type { BackendSettings } from "../../../../extension/connection/settings";
import { isProcessAlive, readState } from "../../../../local-backend/discovery";
import { MemoryLog, waitFor } from "./fakes";

const ROOT = resolve(__dirname, "../../../..");
const COMMAND: BackendCommand = {
  file: process.execPath,
  args: ["--import", "tsx", join(ROOT, "local-backend", "main.ts")],
  cwd: ROOT,
  env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
};
const START_MS = 90_000;

let dataDir: string;
let log: MemoryLog;
let local: LocalBackend;
let plane: ConvexControlPlane;
const others: ConvexControlPlane[] = [];

function remotePlane(
  settings: BackendSettings,
  secret: string,
): ConvexControlPlane {
  const created = new ConvexControlPlane({
    log,
    settings: () => settings,
    readSecret: () => Promise.resolve(secret),
    local: new LocalBackend({
      dataDir: join(dataDir, "unused"),
      command: COMMAND,
      log,
    }),
    createClient: convexClientFactory(log),
  });
  others.push(created);
  return created;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "sb-plane-"));
  log = new MemoryLog();
  local = new LocalBackend({
    dataDir,
    command: COMMAND,
    log,
    startTimeoutMs: START_MS,
  });
  plane = new ConvexControlPlane({
    log,
    settings: () => ({ backendUrl: "", siteUrl: "" }),
    readSecret: () => Promise.resolve(undefined),
    local,
    createClient: convexClientFactory(log),
    timing: { relocateAfterMs: 500 },
  });
  await plane.start();
  if (plane.state.status !== "connected") {
    throw new Error(`not connected: ${plane.state.detail}\n${log.text()}`);
  }
}, START_MS + 10_000);

afterAll(() => {
  for (const other of others) other.dispose();
  plane?.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("against a real local backend", () => {
  test("starts it, signs in as the owner, and loads the session", () => {
    const session = plane.session;
    expect(session).toMatchObject({
      backend: "local",
      projectKey: "SB",
      dataDir,
    });
    expect(session?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.ownsProcess).toBe(true);
    expect(log.text()).toContain("Connected to the local backend at");
    // Secrets never reach the log: neither the owner token nor a JWT.
    expect(log.text()).not.toMatch(
      /sbu_[A-Za-z0-9_-]{10}|eyJ[A-Za-z0-9_-]{10}/,
    );
  });

  test("queries, mutations, live watches, a JWT for webviews, and the seed command", async () => {
    const session = plane.session!;
    const orgId = session.orgId as Id<"orgs">;
    const keys: string[][] = [];
    const watch = plane.watch(
      api.projects.list,
      (s) => ({ orgId: s.orgId as Id<"orgs"> }),
      (projects) => keys.push(projects.map((p) => p.key).sort()),
    );
    await waitFor(() => keys.length > 0, "the first value", 15_000);
    await plane.mutation(api.projects.create, {
      orgId,
      name: "Web",
      key: "WEB",
    });
    await waitFor(
      () => keys.at(-1)?.includes("WEB"),
      "the pushed update",
      15_000,
    );
    expect((await plane.query(api.me.get, {})).kind).toBe("user");
    expect(await plane.getToken(false)).toMatch(/^ey/);
    const seeded = await runSeed(COMMAND, dataDir);
    expect(seeded.tasks).toBeGreaterThan(0);
    watch.dispose();
  }, 60_000);

  test("a remote plane with the owner token, and one with a wrong token", async () => {
    const session = plane.session!;
    const settings = { backendUrl: session.url, siteUrl: session.siteUrl };
    const good = remotePlane(settings, local.ownerToken()!);
    await good.start();
    expect(good.state.status).toBe("connected");
    expect(good.session).toMatchObject({ backend: "remote", projectKey: "SB" });
    const bad = remotePlane(settings, "sbu_not-a-real-token");
    await bad.start();
    expect(bad.state.status).toBe("failed");
    expect(bad.state.detail).toContain("refused the stored sign-in token");
  }, 60_000);

  test(
    "killed: reconnecting, then found again on new ports with watches resubscribed",
    async () => {
      const before = plane.session!;
      const names: string[] = [];
      plane.watch(
        api.me.get,
        () => ({}),
        (me) => names.push(me.name),
      );
      await waitFor(() => names.length > 0, "the first value", 15_000);
      const statuses: string[] = [];
      plane.onDidChangeState((s) => statuses.push(s.status));
      const valuesBeforeKill = names.length;
      const killed = readState(dataDir)!.pid;
      process.kill(killed, "SIGKILL");
      await waitFor(
        () => plane.session?.url !== before.url,
        "a new backend",
        START_MS,
      );
      await waitFor(
        () => plane.state.status === "connected",
        "connected again",
        30_000,
      );
      expect(statuses[0]).toBe("reconnecting");
      expect(isProcessAlive(killed)).toBe(false);
      expect(local.ownsProcess).toBe(true);
      await waitFor(
        () => names.length > valuesBeforeKill,
        "a value from the new backend",
        15_000,
      );
      expect(plane.session).toMatchObject({
        projectId: before.projectId,
        userId: before.userId,
      });
      expect((await plane.query(api.me.get, {})).kind).toBe("user");
    },
    START_MS + 30_000,
  );

  test("dispose stops the backend this plane started", async () => {
    const pid = readState(dataDir)!.pid;
    plane.dispose();
    await waitFor(() => !isProcessAlive(pid), "the backend to stop", 15_000);
  }, 20_000);
});
