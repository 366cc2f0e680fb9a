/** The shared protocol's guards: everything from the other side is untrusted input. */
import { describe, expect, test } from "vitest";
import {
  defineNotification,
  defineRequest,
  hostAuthToken,
  hostInit,
  hostTargetChanged,
  hostThemeChanged,
  isMessage,
  isString,
  methodsOf,
  webviewAttachSandbox,
  webviewOpenSandbox,
  webviewOpenView,
  webviewReady,
} from "../../../webview/protocol";

describe("message names", () => {
  test.each([
    "board",
    "Board/task",
    "board//move",
    "board/task/",
    "/x",
    "a/b c",
    "",
  ])("%j is rejected at definition time", (name) => {
    expect(() => defineNotification(name, isString)).toThrow(
      /Invalid message name/,
    );
    expect(() =>
      defineRequest(name, { params: isString, result: isString }),
    ).toThrow(/Invalid message name/);
  });

  test("every defined message is namespaced", () => {
    const all = [
      webviewReady,
      hostInit,
      hostAuthToken,
      hostThemeChanged,
      hostTargetChanged,
      webviewOpenView,
      webviewOpenSandbox,
      webviewAttachSandbox,
    ];
    expect(all.map((m) => m.method)).toEqual([
      "webview/ready",
      "host/init",
      "host/auth/token",
      "host/theme/changed",
      "host/target/changed",
      "webview/view/open",
      "webview/sandbox/open",
      "webview/sandbox/attach",
    ]);
  });
});

describe("isMessage (envelope)", () => {
  test.each([
    { kind: "request", id: 1, method: "board/task/move", params: {} },
    {
      kind: "notification",
      method: "webview/ready",
      params: { view: "board" },
    },
    { kind: "response", id: 7, result: null },
    { kind: "response", id: 7, error: { code: "timeout", message: "late" } },
  ])("accepts %j", (value) => {
    expect(isMessage(value)).toBe(true);
  });

  test.each([
    ["null", null],
    ["a string", "board/task/move"],
    ["an array", [{ kind: "notification" }]],
    ["no kind", { method: "board/task/move", params: {} }],
    [
      "an unknown kind",
      { kind: "event", method: "board/task/move", params: {} },
    ],
    [
      "a request without id",
      { kind: "request", method: "board/task/move", params: {} },
    ],
    [
      "a string id",
      { kind: "request", id: "1", method: "board/task/move", params: {} },
    ],
    [
      "a negative id",
      { kind: "request", id: -1, method: "board/task/move", params: {} },
    ],
    [
      "a fractional id",
      { kind: "request", id: 1.5, method: "board/task/move", params: {} },
    ],
    ["a numeric method", { kind: "notification", method: 42, params: {} }],
    [
      "an unnamespaced method",
      { kind: "notification", method: "move", params: {} },
    ],
    ["missing params", { kind: "notification", method: "board/task/open" }],
    ["a response with neither", { kind: "response", id: 1 }],
    [
      "a response with both",
      {
        kind: "response",
        id: 1,
        result: 1,
        error: { code: "timeout", message: "x" },
      },
    ],
    [
      "an error with an unknown code",
      { kind: "response", id: 1, error: { code: "oops", message: "x" } },
    ],
    [
      "an error without message",
      { kind: "response", id: 1, error: { code: "timeout" } },
    ],
  ])("rejects %s", (_label, value) => {
    expect(isMessage(value)).toBe(false);
  });

  test("rejects names outside the given set", () => {
    const known = methodsOf([webviewOpenView, hostTargetChanged]);
    const open = {
      kind: "notification",
      method: "webview/view/open",
      params: { view: "task", target: { taskId: "t1" } },
    };
    expect(isMessage(open, known)).toBe(true);
    expect(isMessage({ ...open, method: "webview/view/close" }, known)).toBe(
      false,
    );
    expect(
      isMessage(
        { kind: "request", id: 1, method: "host/init", params: {} },
        known,
      ),
    ).toBe(false);
  });

  test("ignores inherited fields (no prototype tricks)", () => {
    const sneaky = Object.create({
      kind: "notification",
      method: "webview/ready",
      params: {},
    }) as unknown;
    expect(isMessage(sneaky)).toBe(false);
  });
});

describe("payload guards", () => {
  test("webview/view/open params: a known view and a target of ids", () => {
    const ok = webviewOpenView.isParams;
    expect(ok({ view: "task", target: { taskId: "t1" } })).toBe(true);
    expect(ok({ view: "board", target: {} })).toBe(true);
    expect(ok({ view: "terminal", target: {} })).toBe(false);
    expect(ok({ view: "task", target: { taskId: "" } })).toBe(false);
    expect(ok({ view: "task", target: { taskId: 1 } })).toBe(false);
    expect(ok({ view: "run", target: { runId: "r1" } })).toBe(true);
    expect(ok({ view: "run", target: { runId: "" } })).toBe(false);
    expect(ok({ view: "budgets", target: {} })).toBe(true);
    expect(ok({ view: "task" })).toBe(false);
    expect(ok(null)).toBe(false);
  });

  test("webview/sandbox/open params: a task id", () => {
    const ok = webviewOpenSandbox.isParams;
    expect(ok({ taskId: "t1" })).toBe(true);
    expect(ok({ taskId: "t1", extra: 1 })).toBe(true);
    expect(ok({ taskId: "" })).toBe(false);
    expect(ok({ taskId: 1 })).toBe(false);
    expect(ok({ sandboxId: "s1" })).toBe(false);
    expect(ok({})).toBe(false);
    expect(ok(null)).toBe(false);
    expect(ok("t1")).toBe(false);
  });

  test("webview/sandbox/attach params: a sandbox id", () => {
    const ok = webviewAttachSandbox.isParams;
    expect(ok({ sandboxId: "s1" })).toBe(true);
    expect(ok({ sandboxId: "" })).toBe(false);
    expect(ok({ sandboxId: null })).toBe(false);
    expect(ok({ taskId: "t1" })).toBe(false);
    expect(ok([])).toBe(false);
    expect(ok(undefined)).toBe(false);
  });

  test("handshake and host messages", () => {
    expect(webviewReady.isParams({ view: "board" })).toBe(true);
    expect(webviewReady.isParams({ view: "terminal" })).toBe(false);
    expect(
      hostInit.isParams({
        backendUrl: "http://127.0.0.1:3210",
        signedIn: true,
        theme: "dark",
        context: null,
        target: {},
      }),
    ).toBe(true);
    expect(
      hostInit.isParams({ backendUrl: "", signedIn: true, theme: "dark" }),
    ).toBe(false);
    expect(
      hostInit.isParams({
        backendUrl: "http://x",
        signedIn: "yes",
        theme: "dark",
        context: null,
        target: {},
      }),
    ).toBe(false);
    expect(hostAuthToken.isParams({ forceRefresh: false })).toBe(true);
    expect(hostAuthToken.isParams({})).toBe(false);
    expect(hostAuthToken.isResult({ token: "eyJ…" })).toBe(true);
    expect(hostAuthToken.isResult({ token: null })).toBe(true);
    expect(hostAuthToken.isResult({ token: 1 })).toBe(false);
    expect(hostAuthToken.isResult({})).toBe(false);
    expect(hostThemeChanged.isParams({ theme: "highContrastLight" })).toBe(
      true,
    );
    expect(hostThemeChanged.isParams({ theme: "sepia" })).toBe(false);
    expect(hostTargetChanged.isParams({ target: { threadId: "th1" } })).toBe(
      true,
    );
    expect(hostTargetChanged.isParams({ target: null })).toBe(false);
  });
});
