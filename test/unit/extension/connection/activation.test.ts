/**
 * activate() against a stand-in `vscode` (the other parts' register functions
 * are stubbed): returns fast, logs its duration, sets the context key, and the
 * connection commands work while not connected.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  afterAll,
  afterEach,
  beforeEach,
  describe,
  expect,
  test,
  vi,
} from "vitest";
import { fakeVscodeHost, host } from "./fakeVscodeHost";
import { waitFor } from "./fakes";

vi.mock("vscode", () => fakeVscodeHost);
const registered: string[] = [];
vi.mock("../../../../extension/views", () => ({
  registerViews: () => registered.push("views"),
}));
vi.mock("../../../../extension/commands", () => ({
  registerCommands: () => registered.push("commands"),
}));
vi.mock("../../../../extension/notifications", () => ({
  registerApprovalNotifications: () => {
    throw new Error("notifications broke");
  },
}));
const { activate } = await import("../../../../extension/extension");

const root = mkdtempSync(join(tmpdir(), "sb-activate-"));
let subscriptions: { dispose(): unknown }[] = [];
const secrets = new Map<string, string>();

function context() {
  subscriptions = [];
  const extensionPath = join(root, "extension");
  return {
    subscriptions,
    extensionPath,
    extensionUri: fakeVscodeHost.Uri.file(extensionPath),
    globalStorageUri: fakeVscodeHost.Uri.file(join(root, "storage")),
    secrets: {
      get: (key: string) => Promise.resolve(secrets.get(key)),
      store: (key: string, value: string) => {
        secrets.set(key, value);
        return Promise.resolve();
      },
    },
    workspaceState: { get: () => undefined },
  };
}

function run(id: string, ...args: unknown[]): Promise<unknown> {
  const handler = host.commands.get(id);
  if (handler === undefined) throw new Error(`no command ${id}`);
  return Promise.resolve(handler(...args));
}

beforeEach(() => {
  host.reset();
  secrets.clear();
  registered.length = 0;
});
afterEach(() => {
  for (const subscription of subscriptions.reverse()) subscription.dispose();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("activate", () => {
  test("fast, logged, parts registered, a failing part contained", () => {
    host.settings.set("backendUrl", "https://happy-otter-123.convex.cloud");
    const started = performance.now();
    activate(context() as never);
    expect(performance.now() - started).toBeLessThan(100);
    expect(
      host.logLines.find((l) =>
        /^info Switchboard activated in \d+ ms$/.test(l),
      ),
    ).toBeDefined();
    expect(registered).toEqual(["views", "commands"]);
    expect(
      host.logLines.some((l) =>
        l.includes("Could not set up the approval notifications"),
      ),
    ).toBe(true);
    // The connection's commands, and the sandbox commands as lazy stubs
    // (dist/sandboxes.js is loaded on first use or once connected, not here).
    expect([...host.commands.keys()].sort()).toEqual([
      "switchboard.attachSandbox",
      "switchboard.changeSandbox",
      "switchboard.openSandbox",
      "switchboard.seedDemoData",
      "switchboard.showStatus",
      "switchboard.switchBackend",
    ]);
    expect(host.contextKeys.get("switchboard.connected")).toBe(false);
    expect(host.statusItems[0]?.command).toBe("switchboard.showStatus");
  });

  test("remote without a token: signed out, shown in the status bar and by Show Status", async () => {
    host.settings.set("backendUrl", "https://happy-otter-123.convex.cloud");
    activate(context() as never);
    await waitFor(
      () => host.statusItems[0]?.text === "$(plug) Switchboard: signed out",
      "signed out",
    );
    expect(host.statusItems[0]?.backgroundColor).toEqual({
      id: "statusBarItem.warningBackground",
    });
    host.nextChoice = "Show Log";
    await run("switchboard.showStatus");
    expect(host.messages).toEqual([
      {
        level: "warning",
        text: "Switchboard: signed out. No sign-in token is stored for https://happy-otter-123.convex.cloud. Run “Switchboard: Switch Backend” to sign in. Backend URL: https://happy-otter-123.convex.cloud.",
        items: ["Switch Backend", "Show Log"],
      },
    ]);
    expect(host.logShown).toBe(1);
  });

  test("local backend that cannot start: Show Status says why, Seed explains", async () => {
    activate(context() as never);
    await waitFor(
      () => host.statusItems[0]?.text === "$(plug) Switchboard: not connected",
      "failed",
      10_000,
    );
    await run("switchboard.showStatus");
    const text = host.messages[0]?.text ?? "";
    expect(text).toMatch(
      /^Switchboard: not connected\. The local backend stopped while starting \(exit code 1\)/,
    );
    expect(text).toContain(`Data: ${join(root, "storage", "backend")}.`);
    await run("switchboard.seedDemoData");
    expect(host.messages[1]?.text).toMatch(
      /^Switchboard: the local backend is not connected yet/,
    );
  });

  test("Switch Backend to a deployment: stores the secret, writes the settings, reconnects once", async () => {
    activate(context() as never);
    host.quickPicks.push((items) => items[1]);
    host.inputs.push("https://happy-otter-123.convex.cloud/", "sbu_secret");
    // No such deployment here: the sign-in fails and is retried; the command reports it.
    await run("switchboard.switchBackend");
    expect(secrets.get("switchboard.signInToken")).toBe("sbu_secret");
    expect(host.settings.get("backendUrl")).toBe(
      "https://happy-otter-123.convex.cloud",
    );
    expect(host.settings.get("siteUrl")).toBe("");
    const last = host.messages.at(-1);
    expect(last?.level).toBe("warning");
    expect(last?.text).toMatch(
      /^Switchboard: .*happy-otter-123\.convex\.site\/auth\/token/,
    );
    expect(
      host.logLines.filter((l) => l.includes("The backend settings changed")),
    ).toHaveLength(1);
    expect(host.logLines.join("\n")).not.toContain("sbu_secret");
  });

  test("the seed command on a deployment explains the CLI instead", async () => {
    host.settings.set("backendUrl", "https://a.convex.cloud");
    activate(context() as never);
    await run("switchboard.seedDemoData");
    expect(host.messages[0]?.text).toContain("npx convex run demo:seed");
  });
});
