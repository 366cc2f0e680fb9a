import { describe, expect, test } from "vitest";
import type { Session } from "../../../../extension/contracts";
import {
  statusBarContent,
  statusMessage,
} from "../../../../extension/connection/describe";

const local: Session = {
  backend: "local",
  url: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  userId: "u1",
  userName: "ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
  dataDir: "/home/ada/.vscode/globalStorage/switchboard.switchboard/backend",
};
const remote: Session = {
  ...local,
  backend: "remote",
  url: "https://a.convex.cloud",
  dataDir: undefined,
};

describe("status bar", () => {
  test("connected: project key and backend kind", () => {
    expect(
      statusBarContent(
        { status: "connected", detail: "Connected to x" },
        local,
      ),
    ).toEqual({
      text: "$(plug) Switchboard: SB (local)",
      tooltip: "Switchboard: Connected to x\nClick for connection status.",
      warning: false,
    });
    expect(
      statusBarContent({ status: "connected", detail: "" }, remote).text,
    ).toBe("$(plug) Switchboard: SB (remote)");
  });

  test.each([
    ["starting", "$(plug) Switchboard: starting…", false],
    ["reconnecting", "$(plug) Switchboard: reconnecting…", false],
    ["signedOut", "$(plug) Switchboard: signed out", true],
    ["failed", "$(plug) Switchboard: not connected", true],
  ] as const)("%s", (status, text, warning) => {
    const content = statusBarContent({ status, detail: "why" }, null);
    expect(content).toMatchObject({ text, warning });
    expect(content.tooltip).toContain("why");
  });
});

describe("Show Status message", () => {
  test("connected to the local backend", () => {
    expect(
      statusMessage({
        state: { status: "connected", detail: "" },
        session: local,
      }),
    ).toBe(
      "Switchboard: connected. Backend: the local backend at http://127.0.0.1:3210. Signed in as ada; project SB. Data: /home/ada/.vscode/globalStorage/switchboard.switchboard/backend.",
    );
  });

  test("connected to a deployment: no data directory", () => {
    expect(
      statusMessage({
        state: { status: "connected", detail: "" },
        session: remote,
      }),
    ).toBe(
      "Switchboard: connected. Backend: https://a.convex.cloud. Signed in as ada; project SB.",
    );
  });

  test("not connected: the detail, and where it looked", () => {
    expect(
      statusMessage({
        state: {
          status: "starting",
          detail: "Looking for the local backend in /d…",
        },
        session: null,
        dataDir: "/d",
      }),
    ).toBe(
      "Switchboard: starting. Looking for the local backend in /d… Data: /d.",
    );
    expect(
      statusMessage({
        state: {
          status: "signedOut",
          detail: "No sign-in token is stored for https://a.convex.cloud.",
        },
        session: null,
        backendUrl: "https://a.convex.cloud",
      }),
    ).toBe(
      "Switchboard: signed out. No sign-in token is stored for https://a.convex.cloud. Backend URL: https://a.convex.cloud.",
    );
  });

  test("always starts with 'Switchboard:'", () => {
    for (const status of [
      "starting",
      "connected",
      "reconnecting",
      "signedOut",
      "failed",
    ] as const) {
      expect(
        statusMessage({ state: { status, detail: "d" }, session: null }),
      ).toMatch(/^Switchboard: /);
    }
  });
});
