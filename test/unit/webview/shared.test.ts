/** Shared helpers: error text, formatting, people names, stored UI state. */
import { ConvexError } from "convex/values";
import { describe, expect, test } from "vitest";
import { isBoolean, isString } from "../../../webview/protocol";
import { describeError, errorText } from "../../../webview/shared/errors";
import {
  clip,
  formatMessageTime,
  formatRelative,
  plural,
  safeExternalUrl,
  statusLabel,
  taskKey,
} from "../../../webview/shared/format";
import { buildPeopleIndex } from "../../../webview/shared/people";
import { UiState } from "../../../webview/shared/uiState";

describe("describeError", () => {
  test("a ConvexError's {code, message} is what people see", () => {
    const error = new ConvexError({
      code: "ILLEGAL_TRANSITION",
      message: "A task cannot move from done to in_review.",
    });
    expect(describeError(error)).toEqual({
      code: "ILLEGAL_TRANSITION",
      message: "A task cannot move from done to in_review.",
    });
  });

  test("a ConvexError with a string payload", () => {
    expect(errorText(new ConvexError("Nope"))).toBe("Nope");
  });

  test("a server error loses Convex's envelope and stack", () => {
    const error = new Error(
      "[CONVEX M(tasks:move)] [Request ID: 1a2b] Server Error\nUncaught Error: boom\n    at handler (tasks.ts:12)",
    );
    expect(errorText(error)).toBe("boom");
    expect(
      errorText(new Error("[CONVEX Q(x:y)] [Request ID: 9] Server Error")),
    ).toBe("Server Error");
  });

  test("a ConvexError-shaped object from another copy of the library", () => {
    const foreign = Object.assign(new Error("x"), {
      name: "ConvexError",
      data: { code: "FORBIDDEN", message: "Only people decide approvals." },
    });
    expect(describeError(foreign)).toEqual({
      code: "FORBIDDEN",
      message: "Only people decide approvals.",
    });
  });

  test("anything else becomes a string", () => {
    expect(errorText("plain")).toBe("plain");
    expect(errorText(undefined)).toBe("undefined");
  });
});

describe("format", () => {
  test("task keys", () => {
    expect(taskKey("SB", 12)).toBe("SB-12");
    expect(taskKey("", 12)).toBe("#12");
  });

  test("relative times in both directions", () => {
    const now = Date.UTC(2025, 0, 15, 12);
    expect(formatRelative(now - 10_000, now)).toBe("just now");
    expect(formatRelative(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(formatRelative(now + 12 * 60_000, now)).toBe("in 12 min");
    expect(formatRelative(now - 3 * 3_600_000, now)).toBe("3 h ago");
    expect(formatRelative(now + 2 * 86_400_000, now)).toBe("in 2 d");
    expect(formatRelative(now - 90 * 86_400_000, now)).toMatch(/2024/);
  });

  test("message times show the date only on other days", () => {
    const now = new Date(2025, 0, 15, 12).getTime();
    expect(formatMessageTime(now - 60_000, now)).not.toMatch(/2025/);
    expect(formatMessageTime(now - 3 * 86_400_000, now)).toMatch(/2025/);
  });

  test("only http(s) URLs are links", () => {
    expect(safeExternalUrl("https://github.com/o/r/pull/1")).toBe(
      "https://github.com/o/r/pull/1",
    );
    expect(safeExternalUrl("javascript:alert(1)")).toBeNull();
    expect(safeExternalUrl("command:workbench.action.quit")).toBeNull();
    expect(safeExternalUrl("not a url")).toBeNull();
    expect(safeExternalUrl(undefined)).toBeNull();
  });

  test("plural, clip and status labels", () => {
    expect(plural(1, "dependency", "dependencies")).toBe("1 dependency");
    expect(plural(3, "card")).toBe("3 cards");
    expect(clip("short", 10)).toBe("short");
    expect(clip("a longer sentence", 8)).toBe("a longe…");
    expect(clip("😀😀😀", 2)).toBe("😀…");
    expect(statusLabel("in_review")).toBe("In review");
    expect(statusLabel("archived")).toBe("archived");
  });
});

describe("buildPeopleIndex", () => {
  test("names by id, with system, unassigned and unknown handled", () => {
    const people = buildPeopleIndex([
      { id: "u1", kind: "user", name: "Ada" },
      { id: "a1", kind: "agent", name: "planner" },
    ]);
    expect(people.name("u1")).toBe("Ada");
    expect(people.name("a1")).toBe("planner");
    expect(people.name("system")).toBe("System");
    expect(people.name(undefined)).toBe("Unassigned");
    expect(people.name("k57abcdef123456")).toBe("Unknown (123456)");
    expect(people.get("u1")?.kind).toBe("user");
    expect(buildPeopleIndex(undefined).list).toEqual([]);
  });
});

describe("UiState", () => {
  const schema = { text: isString, open: isBoolean };
  const memory = (state: unknown) => {
    const storage = {
      state,
      getState: () => storage.state,
      setState: <T>(value: T): T => {
        storage.state = value;
        return value;
      },
    };
    return storage;
  };

  test("defaults when nothing (or garbage) is stored", () => {
    expect(
      new UiState(memory(undefined), schema, { text: "", open: false }).get(),
    ).toEqual({
      text: "",
      open: false,
    });
    expect(
      new UiState(memory("junk"), schema, { text: "", open: false }).get(),
    ).toEqual({
      text: "",
      open: false,
    });
  });

  test("keeps valid fields, drops wrong types and undeclared fields", () => {
    const storage = memory({ text: 42, open: true, token: "eyJ…" });
    const ui = new UiState(storage, schema, { text: "", open: false });
    expect(ui.get()).toEqual({ text: "", open: true });
    ui.update({ text: "drag" });
    expect(storage.state).toEqual({ text: "drag", open: true });
  });
});
