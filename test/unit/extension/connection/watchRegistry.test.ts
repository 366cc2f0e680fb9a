import { describe, expect, test } from "vitest";
import { api } from "../../../../convex/_generated/api";
import type { Session } from "../../../../extension/contracts";
import { WatchRegistry } from "../../../../extension/connection/watchRegistry";
import { DEFAULT_HANDLERS, FakeClient } from "./fakes";

const session: Session = {
  backend: "local",
  url: "http://127.0.0.1:1",
  siteUrl: "http://127.0.0.1:2",
  userId: "u1",
  userName: "Ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
};

function client(): FakeClient {
  const created = new FakeClient("http://x", DEFAULT_HANDLERS);
  created.setConnected(true);
  return created;
}

describe("WatchRegistry", () => {
  test("parked until bound; moves to each new client; parked again on null", () => {
    const registry = new WatchRegistry();
    registry.add({
      ref: api.me.get,
      args: () => ({}),
      onValue: () => undefined,
    });
    expect(registry.activeCount).toBe(0);
    const a = client();
    registry.bind(a, session);
    expect(a.active()).toHaveLength(1);
    const b = client();
    registry.bind(b, session);
    expect(a.active()).toHaveLength(0);
    expect(b.active()).toHaveLength(1);
    registry.bind(null, null);
    expect(b.active()).toHaveLength(0);
    expect(registry.size).toBe(1);
  });

  test("same client and same args: no resubscription; other args: one", () => {
    const registry = new WatchRegistry();
    const c = client();
    registry.add({
      ref: api.projects.list,
      args: (s) => ({ orgId: s.orgId }),
      onValue: () => undefined,
    });
    registry.bind(c, session);
    registry.bind(c, { ...session });
    expect(c.subscriptions).toHaveLength(1);
    registry.bind(c, { ...session, orgId: "o2" });
    expect(c.subscriptions).toHaveLength(2);
    expect(c.active().map((s) => s.args)).toEqual([{ orgId: "o2" }]);
  });

  test("skip unsubscribes; a throwing args function reaches onError", () => {
    const errors: string[] = [];
    const registry = new WatchRegistry();
    const c = client();
    let skip = false;
    registry.add({
      ref: api.me.get,
      args: () => (skip ? "skip" : {}),
      onValue: () => undefined,
    });
    registry.add({
      ref: api.me.get,
      args: () => {
        throw new Error("no project");
      },
      onValue: () => undefined,
      onError: (e) => errors.push(e.message),
    });
    registry.bind(c, session);
    expect(c.active()).toHaveLength(1);
    skip = true;
    registry.bind(c, { ...session, projectId: "p2" });
    expect(c.active()).toHaveLength(0);
    expect(errors).toEqual(["no project", "no project"]);
  });

  test("dispose of one watch, and of the registry", () => {
    const registry = new WatchRegistry();
    const c = client();
    const one = registry.add({
      ref: api.me.get,
      args: () => ({}),
      onValue: () => undefined,
    });
    registry.add({
      ref: api.orgs.listMine,
      args: () => ({}),
      onValue: () => undefined,
    });
    registry.bind(c, session);
    one.dispose();
    one.dispose();
    expect(c.active().map((s) => s.name)).toEqual(["orgs:listMine"]);
    registry.dispose();
    expect(c.active()).toHaveLength(0);
    expect(registry.size).toBe(0);
  });

  test("errors without onError, and throwing callbacks, go to the reporter", async () => {
    const reported: string[] = [];
    const registry = new WatchRegistry((e) => reported.push(String(e)));
    const c = new FakeClient("http://x", {
      ...DEFAULT_HANDLERS,
      "tasks:get": () => {
        throw new Error("NOT_FOUND");
      },
    });
    c.setConnected(true);
    registry.add({
      ref: api.tasks.get,
      args: () => ({ taskId: "t" }),
      onValue: () => undefined,
    });
    registry.add({
      ref: api.me.get,
      args: () => ({}),
      onValue: () => {
        throw new Error("listener bug");
      },
    });
    registry.bind(c, session);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reported).toEqual(["Error: NOT_FOUND", "Error: listener bug"]);
  });
});
