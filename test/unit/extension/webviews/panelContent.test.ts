import { describe, expect, test } from "vitest";
import type { Session } from "../../../../extension/contracts";
import {
  initParams,
  isSingleItem,
  normalizeTarget,
  panelTitle,
  renderKey,
  sameTarget,
  themeKindOf,
  viewTypeOf,
} from "../../../../extension/webviews/panelContent";
import { hostInit } from "../../../../webview/protocol/host";

const session: Session = {
  backend: "local",
  url: "http://127.0.0.1:3210",
  siteUrl: "http://127.0.0.1:3211",
  userId: "u1",
  userName: "Ada",
  orgId: "o1",
  projectId: "p1",
  projectKey: "SB",
  dataDir: "/d",
};

describe("panels", () => {
  test("titles", () => {
    expect(panelTitle("board")).toBe("Task Board");
    expect(panelTitle("task")).toBe("Task");
    expect(panelTitle("task", "SB-12")).toBe("Task SB-12");
    expect(panelTitle("thread")).toBe("Thread");
    expect(panelTitle("approvals")).toBe("Approvals");
    expect(panelTitle("run")).toBe("Workflow Run");
    expect(panelTitle("budgets")).toBe("Budgets");
  });

  test("single-item views and view types", () => {
    expect(
      ["board", "task", "thread", "approvals", "run", "budgets"].map((v) =>
        isSingleItem(v as "board"),
      ),
    ).toEqual([false, true, true, true, true, false]);
    expect(viewTypeOf("board")).toBe("switchboard.board");
  });

  test("theme kinds follow vscode.ColorThemeKind", () => {
    expect([1, 2, 3, 4].map(themeKindOf)).toEqual([
      "light",
      "dark",
      "highContrast",
      "highContrastLight",
    ]);
  });

  test("targets: only set ids count", () => {
    expect(normalizeTarget(undefined)).toEqual({});
    expect(
      normalizeTarget({ taskId: "t1", threadId: undefined, approvalId: "" }),
    ).toEqual({ taskId: "t1" });
    expect(
      sameTarget(
        { taskId: "t1" },
        normalizeTarget({ taskId: "t1", threadId: undefined }),
      ),
    ).toBe(true);
    expect(sameTarget({ taskId: "t1" }, { taskId: "t2" })).toBe(false);
    expect(normalizeTarget({ runId: "r1", taskId: "" })).toEqual({
      runId: "r1",
    });
    expect(sameTarget({ runId: "r1" }, { runId: "r2" })).toBe(false);
  });
});

describe("host/init", () => {
  test("signed in: backend, context, target; valid by the protocol's own guard", () => {
    const params = initParams(session, "dark", { taskId: "t1" });
    expect(params).toEqual({
      backendUrl: "http://127.0.0.1:3210",
      signedIn: true,
      theme: "dark",
      context: { orgId: "o1", projectId: "p1", projectKey: "SB", userId: "u1" },
      target: { taskId: "t1" },
    });
    expect(hostInit.isParams(params)).toBe(true);
  });

  test("signed out: no context, a placeholder backend the CSP accepts", () => {
    const params = initParams(null, "light", {});
    expect(params.signedIn).toBe(false);
    expect(params.context).toBeNull();
    expect(hostInit.isParams(params)).toBe(true);
  });

  test("re-render only when the backend or the project changes", () => {
    expect(renderKey(session)).toBe(renderKey({ ...session }));
    expect(renderKey(session)).not.toBe(
      renderKey({ ...session, url: "http://127.0.0.1:4000" }),
    );
    expect(renderKey(session)).not.toBe(
      renderKey({ ...session, projectId: "p2" }),
    );
    expect(renderKey(session)).not.toBe(renderKey(null));
    // The display name is not part of what the page was rendered for.
    expect(renderKey(session)).toBe(
      renderKey({ ...session, userName: "Ada L." }),
    );
  });
});
