/** Keyboard navigation of the board. */
import { describe, expect, test } from "vitest";
import {
  interpretKey,
  navigate,
  tabStop,
  type GridColumn,
} from "../../../webview/board/keyboard";

const key = (
  k: string,
  mods: Partial<
    Record<"shiftKey" | "altKey" | "ctrlKey" | "metaKey", boolean>
  > = {},
) => ({
  key: k,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe("interpretKey", () => {
  test("arrows and Home/End/PageUp/PageDown move focus, Enter opens", () => {
    expect(interpretKey(key("ArrowDown"))).toEqual({
      type: "focus",
      key: "ArrowDown",
    });
    expect(interpretKey(key("End"))).toEqual({ type: "focus", key: "End" });
    expect(interpretKey(key("Enter"))).toEqual({ type: "open" });
  });

  test("Shift+Alt+Left/Right moves the card", () => {
    expect(
      interpretKey(key("ArrowLeft", { shiftKey: true, altKey: true })),
    ).toEqual({
      type: "move",
      direction: -1,
    });
    expect(
      interpretKey(key("ArrowRight", { shiftKey: true, altKey: true })),
    ).toEqual({
      type: "move",
      direction: 1,
    });
  });

  test("other combinations are left to the browser", () => {
    expect(interpretKey(key("ArrowRight", { shiftKey: true }))).toBeNull();
    expect(interpretKey(key("ArrowRight", { altKey: true }))).toBeNull();
    expect(interpretKey(key("ArrowRight", { ctrlKey: true }))).toBeNull();
    expect(interpretKey(key("Enter", { metaKey: true }))).toBeNull();
    expect(
      interpretKey(key("ArrowUp", { shiftKey: true, altKey: true })),
    ).toBeNull();
    expect(interpretKey(key("a"))).toBeNull();
  });
});

describe("navigate", () => {
  const grid: GridColumn[] = [
    { status: "backlog", ids: ["b1", "b2", "b3"] },
    { status: "todo", ids: [] },
    { status: "in_progress", ids: ["p1"] },
    { status: "done", ids: Array.from({ length: 25 }, (_, i) => `d${i}`) },
  ];

  test("up and down within a column, stopping at the ends", () => {
    expect(
      navigate(grid, { status: "backlog", taskId: "b1" }, "ArrowDown"),
    ).toEqual({
      status: "backlog",
      taskId: "b2",
    });
    expect(
      navigate(grid, { status: "backlog", taskId: "b1" }, "ArrowUp"),
    ).toBeNull();
    expect(
      navigate(grid, { status: "backlog", taskId: "b3" }, "ArrowDown"),
    ).toBeNull();
  });

  test("left and right skip empty columns and keep the row when they can", () => {
    expect(
      navigate(grid, { status: "backlog", taskId: "b3" }, "ArrowRight"),
    ).toEqual({
      status: "in_progress",
      taskId: "p1",
    });
    expect(
      navigate(grid, { status: "in_progress", taskId: "p1" }, "ArrowLeft"),
    ).toEqual({
      status: "backlog",
      taskId: "b1",
    });
    expect(
      navigate(grid, { status: "backlog", taskId: "b2" }, "ArrowLeft"),
    ).toBeNull();
    expect(
      navigate(grid, { status: "done", taskId: "d3" }, "ArrowRight"),
    ).toBeNull();
  });

  test("Home, End and pages", () => {
    const at = { status: "done" as const, taskId: "d12" };
    expect(navigate(grid, at, "Home")?.taskId).toBe("d0");
    expect(navigate(grid, at, "End")?.taskId).toBe("d24");
    expect(navigate(grid, at, "PageDown")?.taskId).toBe("d22");
    expect(navigate(grid, at, "PageUp")?.taskId).toBe("d2");
    expect(
      navigate(grid, { status: "done", taskId: "d20" }, "PageDown")?.taskId,
    ).toBe("d24");
  });

  test("a card that vanished (filtered, moved) navigates from the top", () => {
    expect(
      navigate(grid, { status: "backlog", taskId: "gone" }, "ArrowDown")
        ?.taskId,
    ).toBe("b2");
  });
});

describe("tabStop", () => {
  const grid: GridColumn[] = [
    { status: "backlog", ids: [] },
    { status: "todo", ids: ["t1", "t2"] },
  ];
  test("the focused card if it is still shown, else the first card", () => {
    expect(tabStop(grid, { status: "todo", taskId: "t2" })).toEqual({
      status: "todo",
      taskId: "t2",
    });
    expect(tabStop(grid, { status: "todo", taskId: "gone" })).toEqual({
      status: "todo",
      taskId: "t1",
    });
    expect(tabStop(grid, null)).toEqual({ status: "todo", taskId: "t1" });
    expect(tabStop([{ status: "todo", ids: [] }], null)).toBeNull();
  });
});
