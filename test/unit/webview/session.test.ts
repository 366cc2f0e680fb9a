/** The shared view session: handshake, (re)connect, auth, retargeting, with fakes. */
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  Endpoint,
  type InitParams,
  type Message,
  type Transport,
} from "../../../webview/protocol";
import {
  ViewSession,
  type AuthClient,
  type Prewarm,
  type TokenFetcher,
} from "../../../webview/shared/session";

/** Records what the view posts; lets the test play the host synchronously. */
class FakeHost implements Transport {
  readonly sent: Message[] = [];
  private listener: ((value: unknown) => void) | undefined;
  post(message: Message): void {
    this.sent.push(message);
  }
  onMessage(listener: (value: unknown) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  send(method: string, params: unknown): void {
    this.listener?.({ kind: "notification", method, params });
  }
  answer(id: number, result: unknown): void {
    this.listener?.({ kind: "response", id, result });
  }
  fail(id: number, message: string): void {
    this.listener?.({
      kind: "response",
      id,
      error: { code: "handler_error", message },
    });
  }
  requests(method: string): Extract<Message, { kind: "request" }>[] {
    return this.sent.filter(
      (m): m is Extract<Message, { kind: "request" }> =>
        m.kind === "request" && m.method === method,
    );
  }
}

class FakeClient implements AuthClient {
  closed = false;
  fetchToken: TokenFetcher | undefined;
  onChange: ((ok: boolean) => void) | undefined;
  setAuthCalls = 0;
  constructor(readonly url: string) {}
  setAuth(fetchToken: TokenFetcher, onChange?: (ok: boolean) => void): void {
    this.setAuthCalls += 1;
    this.fetchToken = fetchToken;
    this.onChange = onChange;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const context = {
  orgId: "org1",
  projectId: "proj1",
  projectKey: "SB",
  userId: "user1",
};
const init = (over: Partial<InitParams> = {}): InitParams => ({
  backendUrl: "http://127.0.0.1:3210",
  signedIn: true,
  theme: "dark",
  context,
  target: {},
  ...over,
});

function setup() {
  const host = new FakeHost();
  const clients: FakeClient[] = [];
  const session = new ViewSession(new Endpoint(host), "board", (url) => {
    const client = new FakeClient(url);
    clients.push(client);
    return client;
  });
  return { host, clients, session };
}

describe("handshake", () => {
  test("says ready once, after its listeners are in place", () => {
    const { host, session } = setup();
    expect(host.sent).toEqual([]);
    session.start();
    expect(host.sent).toEqual([
      {
        kind: "notification",
        method: "webview/ready",
        params: { view: "board" },
      },
    ]);
    // An init posted right after ready is not lost.
    host.send("host/init", init());
    expect(session.getState().phase).toBe("connected");
  });

  test("waits, and ignores an init of the wrong shape", () => {
    const { host, session } = setup();
    session.start();
    host.send("host/init", { backendUrl: "http://x", signedIn: true });
    expect(session.getState()).toEqual({ phase: "waiting" });
  });
});

describe("connecting", () => {
  test("an init creates the client and hands it a token fetcher", async () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init({ target: { taskId: "t1" } }));
    const state = session.getState();
    expect(clients.map((c) => c.url)).toEqual(["http://127.0.0.1:3210"]);
    expect(state).toMatchObject({
      phase: "connected",
      context,
      target: { taskId: "t1" },
      auth: "pending",
    });
    const client = clients[0]!;
    const token = client.fetchToken!({ forceRefreshToken: true });
    const [request] = host.requests("host/auth/token");
    expect(request?.params).toEqual({ forceRefresh: true });
    host.answer(request!.id, { token: "jwt-1" });
    await expect(token).resolves.toBe("jwt-1");
    client.onChange!(true);
    expect(session.getState()).toMatchObject({ auth: "ok" });
  });

  test("signed out (or no project) shows the signed-out state and opens nothing", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init({ signedIn: false, context: null }));
    expect(session.getState().phase).toBe("signedOut");
    host.send("host/init", init({ signedIn: true, context: null }));
    expect(session.getState().phase).toBe("signedOut");
    expect(clients).toEqual([]);
  });

  test("a second init on the same backend keeps the client, re-auths and remounts", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    const first = session.getState();
    host.send(
      "host/init",
      init({ context: { ...context, projectId: "proj2" } }),
    );
    const second = session.getState();
    expect(clients).toHaveLength(1);
    expect(clients[0]!.setAuthCalls).toBe(2);
    expect(first.phase === "connected" && second.phase === "connected").toBe(
      true,
    );
    if (first.phase !== "connected" || second.phase !== "connected") return;
    expect(second.generation).toBeGreaterThan(first.generation);
    expect(second.context.projectId).toBe("proj2");
  });

  test("another backend URL closes the old client and creates a new one", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    host.send("host/init", init({ backendUrl: "https://x.convex.cloud" }));
    expect(clients.map((c) => [c.url, c.closed])).toEqual([
      ["http://127.0.0.1:3210", true],
      ["https://x.convex.cloud", false],
    ]);
  });

  test("signing out closes the client", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    host.send("host/init", init({ signedIn: false, context: null }));
    expect(clients[0]!.closed).toBe(true);
    expect(session.getState().phase).toBe("signedOut");
  });
});

describe("auth failures", () => {
  test("a failed token request yields null and a rejected state with the reason", async () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    const client = clients[0]!;
    const token = client.fetchToken!({ forceRefreshToken: false });
    const [request] = host.requests("host/auth/token");
    host.fail(request!.id, "keychain locked");
    await expect(token).resolves.toBeNull();
    client.onChange!(false);
    expect(session.getState()).toMatchObject({
      auth: "rejected",
      authError: expect.stringContaining("keychain locked") as unknown,
    });
  });

  test("a null token (host signed out) is passed on", async () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    const token = clients[0]!.fetchToken!({ forceRefreshToken: false });
    host.answer(host.requests("host/auth/token")[0]!.id, { token: null });
    await expect(token).resolves.toBeNull();
    clients[0]!.onChange!(false);
    expect(session.getState()).toMatchObject({
      auth: "rejected",
      authError: "VS Code is not signed in.",
    });
  });

  test("a late auth answer for an earlier init does not overwrite the current one", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    const staleOnChange = clients[0]!.onChange!;
    host.send("host/init", init());
    staleOnChange(false);
    expect(session.getState()).toMatchObject({ auth: "pending" });
  });
});

describe("while connected", () => {
  test("a new target switches the item without reconnecting", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init({ target: { taskId: "t1" } }));
    const before = session.getState();
    const listener = vi.fn();
    session.subscribe(listener);
    host.send("host/target/changed", { target: { taskId: "t2" } });
    const after = session.getState();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(after).toMatchObject({ target: { taskId: "t2" } });
    expect(before.phase === "connected" && after.phase === "connected").toBe(
      true,
    );
    if (before.phase === "connected" && after.phase === "connected") {
      expect(after.generation).toBe(before.generation);
    }
    expect(clients).toHaveLength(1);
  });

  test("a theme change updates the state", () => {
    const { host, session } = setup();
    session.start();
    host.send("host/init", init());
    host.send("host/theme/changed", { theme: "highContrast" });
    expect(session.getState()).toMatchObject({
      init: { theme: "highContrast" },
    });
  });

  test("openView posts webview/view/open", () => {
    const { host, session } = setup();
    session.start();
    session.openView("task", { taskId: "t9" });
    expect(host.sent.at(-1)).toEqual({
      kind: "notification",
      method: "webview/view/open",
      params: { view: "task", target: { taskId: "t9" } },
    });
  });

  test("openSandbox and attachSandbox post their notifications", () => {
    const { host, session } = setup();
    session.start();
    session.openSandbox("t9");
    session.attachSandbox("s3");
    expect(host.sent.slice(-2)).toEqual([
      {
        kind: "notification",
        method: "webview/sandbox/open",
        params: { taskId: "t9" },
      },
      {
        kind: "notification",
        method: "webview/sandbox/attach",
        params: { sandboxId: "s3" },
      },
    ]);
  });

  test("dispose closes the client and stops listening", () => {
    const { host, clients, session } = setup();
    session.start();
    host.send("host/init", init());
    session.dispose();
    expect(clients[0]!.closed).toBe(true);
    host.send("host/init", init({ backendUrl: "https://other.example" }));
    expect(clients).toHaveLength(1);
  });
});

describe("when the view is mounted", () => {
  /** A client that reports its socket, as ConvexReactClient does. */
  class SocketClient extends FakeClient {
    private listener:
      ((state: { isWebSocketConnected: boolean }) => void) | undefined;
    unsubscribed = false;
    subscribeToConnectionState(
      callback: (state: { isWebSocketConnected: boolean }) => void,
    ): () => void {
      this.listener = callback;
      callback({ isWebSocketConnected: false });
      return () => (this.unsubscribed = true);
    }
    open(): void {
      this.listener?.({ isWebSocketConnected: true });
    }
  }

  function setupWith(
    prewarm?: Prewarm<SocketClient>,
    extra: Record<string, unknown> = {},
  ) {
    const host = new FakeHost();
    const clients: SocketClient[] = [];
    const session = new ViewSession(
      new Endpoint(host),
      "board",
      (url) => {
        const client = new SocketClient(url);
        clients.push(client);
        return client;
      },
      prewarm,
    );
    session.start();
    host.send("host/init", { ...init(), ...extra });
    return { clients, session };
  }

  afterEach(() => vi.useRealTimers());

  test("without prewarmed queries: once the socket is open", async () => {
    const { clients, session } = setupWith();
    expect(session.getState().phase).toBe("waiting");
    clients[0]!.open();
    expect(session.getState().phase).toBe("connected");
    await Promise.resolve();
    expect(clients[0]!.unsubscribed).toBe(true);
  });

  test("with prewarmed queries: once they are answered, not before", () => {
    let answer: (() => void) | undefined;
    let released = false;
    const { clients, session } = setupWith(
      (client, viewContext, onAnswered) => {
        expect(client).toBeInstanceOf(SocketClient);
        expect(viewContext).toEqual(context);
        answer = onAnswered;
        return () => (released = true);
      },
    );
    clients[0]!.open();
    expect(session.getState().phase).toBe("waiting");
    answer!();
    expect(session.getState().phase).toBe("connected");
    session.dispose();
    expect(released).toBe(true);
  });

  test("with the host's preload: at once, the prewarmed queries still subscribed", () => {
    let subscribed = false;
    const preload = {
      projectId: context.projectId,
      columns: { todo: { page: [], isDone: true, continueCursor: "" } },
      people: [],
    };
    const { session } = setupWith(
      () => {
        subscribed = true;
        return () => undefined;
      },
      { preload },
    );
    expect(subscribed).toBe(true);
    const state = session.getState();
    expect(state.phase).toBe("connected");
    expect(state.phase === "connected" && state.init.preload).toEqual(preload);
  });

  test("a malformed preload is ignored: it waits as without one", () => {
    const { session } = setupWith(() => () => undefined, {
      preload: { projectId: context.projectId, columns: [], people: "x" },
    });
    expect(session.getState().phase).toBe("waiting");
  });

  test("after a short wait in any case", () => {
    vi.useFakeTimers();
    const { session } = setupWith(() => () => undefined);
    expect(session.getState().phase).toBe("waiting");
    vi.advanceTimersByTime(300);
    expect(session.getState().phase).toBe("connected");
  });
});
