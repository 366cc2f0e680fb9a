/** The sync protocol end to end, driven by the official ConvexClient. */
import { ConvexError } from "convex/values";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fn, startHarness, subscribe, waitFor, type Harness } from "./harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const bodies = (messages: { body: string }[] | undefined): string[] =>
  (messages ?? []).map((m) => m.body);

describe("subscriptions", () => {
  it("delivers the initial value and live updates", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length === 1);
    expect(list.latest()).toEqual([]);

    h.engine.sendFromServer("from elsewhere");
    await waitFor(() => bodies(list.latest()).includes("from elsewhere"));

    await client.mutation(fn.send, { body: "from client" });
    expect(bodies(list.latest())).toEqual(["from elsewhere", "from client"]);
  });

  it("lets two clients see each other's writes", async () => {
    const a = h.client();
    const b = h.client();
    const listA = subscribe(a, fn.list, {});
    const listB = subscribe(b, fn.list, {});
    await a.mutation(fn.send, { body: "hi from a" });
    await waitFor(() => bodies(listB.latest()).includes("hi from a"));
    await b.mutation(fn.send, { body: "hi from b" });
    await waitFor(() => bodies(listA.latest()).includes("hi from b"));
    expect(bodies(listA.latest())).toEqual(["hi from a", "hi from b"]);
  });

  it("resolves a mutation only after subscribed queries reflect it", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    const counter = subscribe(client, fn.counter, {});
    await waitFor(() => list.values.length > 0 && counter.values.length > 0);
    for (let i = 1; i <= 10; i++) {
      await client.mutation(fn.send, { body: `m${i}` }).then(() => {
        expect(bodies(list.latest())).toContain(`m${i}`);
      });
      await client.mutation(fn.increment, {}).then((value) => {
        expect(counter.latest()).toBe(value);
      });
    }
  });

  it("resolves read-only and failing mutations without a commit", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0);
    await expect(client.mutation(fn.noop, {})).resolves.toBeNull();
    await expect(client.mutation(fn.fail, {})).rejects.toBeInstanceOf(
      ConvexError,
    );
  });

  it("re-runs only invalidated queries and coalesces bursts of commits", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    const counter = subscribe(client, fn.counter, {});
    await waitFor(() => list.values.length > 0 && counter.values.length > 0);
    const callsBefore = h.engine.runQueriesCalls;

    // Hold the next query run, commit a burst meanwhile, then let it go.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.engine.hooks.afterSnapshot = () => gate;
    h.engine.sendFromServer("b1");
    await waitFor(() => h.engine.runQueriesCalls === callsBefore + 1);
    for (let i = 2; i <= 6; i++) h.engine.sendFromServer(`b${i}`);
    h.engine.hooks.afterSnapshot = undefined;
    release();

    await waitFor(() => bodies(list.latest()).includes("b6"));
    expect(h.engine.runQueriesCalls).toBe(callsBefore + 2);
    // The counter never re-ran, so its subscriber saw exactly one value.
    expect(counter.values).toEqual([0]);
  });

  it("stops running a query once unsubscribed, and cleans up on close", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0);
    list.unsubscribe();
    const counter = subscribe(client, fn.counter, {});
    await waitFor(() => counter.values.length > 0);
    const calls = h.engine.runQueriesCalls;
    h.engine.sendFromServer("nobody listens");
    await client.mutation(fn.noop, {});
    expect(h.engine.runQueriesCalls).toBe(calls);
    expect(h.engine.listenerCount()).toBe(1);
    await client.close();
    await waitFor(() => h.engine.listenerCount() === 0);
  });
});

describe("errors", () => {
  it("surfaces mutation, action and query ConvexErrors with their data", async () => {
    const client = h.client();
    const mutationError = await client
      .mutation(fn.fail, {})
      .catch((e: unknown) => e);
    expect(mutationError).toBeInstanceOf(ConvexError);
    expect((mutationError as ConvexError<{ code: string }>).data).toEqual({
      code: "BAD_INPUT",
      message: "mutation refused",
    });

    const actionError = await client
      .action(fn.failAction, {})
      .catch((e: unknown) => e);
    expect(actionError).toBeInstanceOf(ConvexError);
    expect((actionError as ConvexError<{ code: string }>).data).toMatchObject({
      code: "ACTION_FAILED",
    });

    const boom = subscribe(client, fn.boom, {});
    await waitFor(() => boom.errors.length > 0);
    expect(boom.errors[0]).toBeInstanceOf(ConvexError);
    expect(
      (boom.errors[0] as ConvexError<{ code: string }>).data,
    ).toMatchObject({ code: "QUERY_FAILED" });
  });

  it("runs actions and returns their values", async () => {
    const client = h.client();
    await expect(client.action(fn.echo, { value: { n: 1 } })).resolves.toEqual({
      echoed: { value: { n: 1 } },
      caller: null,
    });
  });
});

describe("engine failures", () => {
  it("answers a crashing engine with a failed mutation, not a dead connection", async () => {
    const client = h.client();
    await expect(client.mutation(fn.crash, {})).rejects.toThrow(/Server Error/);
    await expect(client.mutation(fn.send, { body: "fine" })).resolves.toBe(1);
    expect(h.logs.some((line) => line.includes("engine exploded"))).toBe(true);
  });

  it("drops only the affected connection when a query run fails, and the client recovers", async () => {
    const bystander = h.client();
    const watched = subscribe(bystander, fn.counter, {});
    await waitFor(() => watched.values.length > 0);

    let failures = 0;
    h.engine.hooks.afterSnapshot = () => {
      if (failures++ === 0) throw new Error("snapshot lost");
    };
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0, 8000);
    expect(failures).toBeGreaterThan(1);
    expect(h.logs.some((line) => line.includes("snapshot lost"))).toBe(true);

    await bystander.mutation(fn.increment, {});
    expect(watched.latest()).toBe(1);
  });
});

describe("auth", () => {
  it("authenticates a good token and re-runs queries under the new identity", async () => {
    const client = h.client();
    const who = subscribe(client, fn.whoami, {});
    await waitFor(() => who.values.length > 0);
    expect(who.latest()).toBeNull();

    const changes: boolean[] = [];
    client.setAuth(
      () => Promise.resolve("good-token"),
      (authenticated) => changes.push(authenticated),
    );
    await waitFor(() => changes.length > 0);
    expect(changes).toEqual([true]);
    await waitFor(() => who.latest() === "https://issuer.test|user-1");
    await client.mutation(fn.send, { body: "signed" });
    expect(h.engine.messages[0]?.author).toBe("https://issuer.test|user-1");
  });

  it("reports a refused token as unauthenticated", async () => {
    const client = h.client();
    const who = subscribe(client, fn.whoami, {});
    const changes: boolean[] = [];
    client.setAuth(
      () => Promise.resolve("bad-token"),
      (authenticated) => changes.push(authenticated),
    );
    await waitFor(() => changes.length > 0);
    expect(changes).toEqual([false]);
    // The client carries on anonymously.
    await waitFor(() => who.values.length > 0);
    expect(who.latest()).toBeNull();
    await expect(client.mutation(fn.send, { body: "anon" })).resolves.toBe(1);
  });

  it("accepts an admin key, optionally acting as a user", async () => {
    const client = h.client();
    const who = subscribe(client, fn.whoami, {});
    const admin = client as unknown as {
      setAdminAuth(key: string, actingAs?: object): void;
    };
    admin.setAdminAuth("admin-key");
    await waitFor(() => who.latest() === "admin");
    admin.setAdminAuth("admin-key", { issuer: "https://other", subject: "u2" });
    await waitFor(() => who.latest() === "https://other|u2");
  });

  it("refuses a bad admin key and carries on anonymously", async () => {
    const client = h.client();
    const who = subscribe(client, fn.whoami, {});
    await waitFor(() => who.values.length > 0);
    const admin = client as unknown as { setAdminAuth(key: string): void };
    admin.setAdminAuth("wrong-key");
    await waitFor(
      () =>
        h.servers.syncConnections() === 1 &&
        client.connectionState().isWebSocketConnected,
    );
    await expect(client.mutation(fn.send, { body: "anon" })).resolves.toBe(1);
    expect(h.engine.messages[0]?.author).toBe("anonymous");
    expect(who.latest()).toBeNull();
  });
});

describe("reconnects", () => {
  it("resubscribes after a dropped socket and converges on the current value", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0);
    expect(h.servers.dropSyncConnections()).toBe(1);
    h.engine.sendFromServer("written while disconnected");
    await waitFor(() =>
      bodies(list.latest()).includes("written while disconnected"),
    );
    await client.mutation(fn.send, { body: "after reconnect" });
    expect(bodies(list.latest())).toEqual([
      "written while disconnected",
      "after reconnect",
    ]);
    expect(h.servers.syncConnections()).toBe(1);
  });

  it("applies a mutation in flight across a dropped socket exactly once", async () => {
    const client = h.client();
    const list = subscribe(client, fn.list, {});
    await waitFor(() => list.values.length > 0);
    let dropped = false;
    h.engine.hooks.afterMutationCommit = async () => {
      if (dropped) return;
      dropped = true;
      // Committed, response not yet sent: the network goes away now.
      h.servers.dropSyncConnections();
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const id = await client.mutation(fn.send, { body: "once" });
    expect(dropped).toBe(true);
    expect(id).toBe(1);
    expect(bodies(list.latest())).toEqual(["once"]);
    expect(h.engine.messages).toHaveLength(1);
    expect([...h.engine.applications.values()]).toEqual([1]);
  });
});

describe("under load", () => {
  it("keeps every client's version chain consistent through concurrent writes and churn", async () => {
    const clients = [h.client(), h.client(), h.client()];
    const lists = clients.map((c) => subscribe(c, fn.list, {}));
    // Slow, uneven query runs so commits land while runs are in flight.
    h.engine.hooks.afterSnapshot = () =>
      new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

    const writes = clients.flatMap((c, i) =>
      Array.from({ length: 20 }, (_, j) =>
        c.mutation(fn.send, { body: `c${i}-${j}` }).then(() => {
          // Read-your-writes at resolution time, for every single mutation.
          expect(bodies(lists[i]?.latest())).toContain(`c${i}-${j}`);
        }),
      ),
    );
    // Subscription churn on the side.
    const churn = (async () => {
      for (let k = 0; k < 10; k++) {
        const counter = subscribe(
          clients[k % 3] as (typeof clients)[0],
          fn.counter,
          {},
        );
        await clients[k % 3]?.mutation(fn.increment, {});
        counter.unsubscribe();
      }
    })();
    await Promise.all([...writes, churn]);

    for (const list of lists) {
      await waitFor(() => list.latest()?.length === 60);
    }
    const expected = bodies(h.engine.messages);
    for (const list of lists) expect(bodies(list.latest())).toEqual(expected);
  });
});
