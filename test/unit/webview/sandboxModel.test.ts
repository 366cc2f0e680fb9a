/** The sandbox section's and the board badges' pure rules. */
import { describe, expect, test } from "vitest";
import {
  REQUESTABLE,
  SANDBOX_STAGES,
} from "../../../convex/model/sandboxStages";
import type { SandboxStatus } from "../../../convex/validators";
import {
  canAttach,
  canOpenSandbox,
  endedSummary,
  formatDuration,
  liveSandboxIndex,
  sameSandboxIndex,
  SANDBOX_STATUS_LABELS,
  sandboxChanges,
  sandboxTone,
  shortContainerId,
  stageRows,
} from "../../../webview/task/sandboxModel";

const ALL_STATUSES = Object.keys(SANDBOX_STATUS_LABELS) as SandboxStatus[];

describe("buttons", () => {
  test.each<[SandboxStatus, string[]]>([
    ["requested", ["cleanup"]],
    ["provisioning", []],
    ["ready", ["stop", "cleanup"]],
    ["failed", ["retry", "cleanup"]],
    ["stopping", []],
    ["stopped", ["resume", "cleanup"]],
    ["resuming", []],
    ["cleaning", []],
    ["cleaned", []],
    ["kept", ["cleanup"]],
    ["missing", ["retry", "cleanup"]],
  ])("%s offers %j", (status, changes) => {
    expect(sandboxChanges(status)).toEqual(changes);
  });

  test("never offers what the server would refuse", () => {
    for (const status of ALL_STATUSES) {
      for (const change of sandboxChanges(status)) {
        expect(REQUESTABLE[change]).toContain(status);
      }
    }
  });

  test("only a ready sandbox can be opened in its container", () => {
    expect(ALL_STATUSES.filter(canAttach)).toEqual(["ready"]);
  });

  test("a new sandbox: none or an ended one, for a task still to do", () => {
    expect(canOpenSandbox("todo", null)).toBe(true);
    expect(canOpenSandbox("in_progress", "kept")).toBe(true);
    expect(canOpenSandbox("blocked", "cleaned")).toBe(true);
    expect(canOpenSandbox("todo", "ready")).toBe(false);
    expect(canOpenSandbox("todo", "failed")).toBe(false);
    expect(canOpenSandbox("done", null)).toBe(false);
    expect(canOpenSandbox("cancelled", "cleaned")).toBe(false);
  });
});

describe("words", () => {
  test("tones: ready succeeds, failures stand out, work in flight informs", () => {
    expect(sandboxTone("ready")).toBe("success");
    expect(sandboxTone("failed")).toBe("error");
    expect(sandboxTone("missing")).toBe("error");
    expect(sandboxTone("kept")).toBe("warning");
    expect(sandboxTone("provisioning")).toBe("info");
    expect(sandboxTone("requested")).toBe("info");
    expect(sandboxTone("stopped")).toBe("default");
    expect(sandboxTone("cleaned")).toBe("default");
  });

  test("an ended sandbox's summary carries its note", () => {
    expect(endedSummary("kept", "2 commits not merged")).toBe(
      "Kept: 2 commits not merged",
    );
    expect(endedSummary("cleaned")).toBe("Cleaned up");
    expect(endedSummary("cleaned", "  ")).toBe("Cleaned up");
  });

  test.each([
    [0, "0.0 s"],
    [400, "0.4 s"],
    [1_234, "1.2 s"],
    [59_949, "59.9 s"],
    [60_000, "1 min 0 s"],
    [125_500, "2 min 5 s"],
    [3_780_000, "1 h 3 min"],
    [-5, "0.0 s"],
  ])("%d ms reads %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test("container ids are shortened like docker ps does", () => {
    expect(shortContainerId("0123456789abcdef0123")).toBe("0123456789ab");
    expect(shortContainerId("abc")).toBe("abc");
  });
});

describe("stage rows", () => {
  test("every stage in pipeline order; unreported ones are pending", () => {
    const rows = stageRows([
      { stage: "container", state: "running", startedAt: 5_000 },
      {
        stage: "worktree",
        state: "done",
        startedAt: 1_000,
        endedAt: 2_200,
      },
    ]);
    expect(rows.map((row) => row.stage)).toEqual([...SANDBOX_STAGES]);
    expect(rows[0]).toEqual({
      stage: "worktree",
      label: "Worktree",
      state: "done",
      duration: "1.2 s",
      error: null,
    });
    expect(rows[1]).toMatchObject({ state: "running", duration: null });
    expect(rows.slice(2).every((row) => row.state === "pending")).toBe(true);
  });

  test("a failed stage keeps its error", () => {
    const [row] = stageRows([
      {
        stage: "worktree",
        state: "failed",
        startedAt: 0,
        endedAt: 300,
        error: "branch exists",
      },
    ]);
    expect(row).toMatchObject({
      state: "failed",
      duration: "0.3 s",
      error: "branch exists",
    });
  });
});

describe("board index", () => {
  test("maps tasks to their newest live sandbox's status", () => {
    const index = liveSandboxIndex([
      { taskId: "t1", status: "failed", createdAt: 1 },
      { taskId: "t2", status: "ready", createdAt: 2 },
      { taskId: "t1", status: "provisioning", createdAt: 3 },
    ]);
    expect([...index]).toEqual([
      ["t1", "provisioning"],
      ["t2", "ready"],
    ]);
  });

  test("indexes compare by content", () => {
    const a = liveSandboxIndex([
      { taskId: "t1", status: "ready", createdAt: 1 },
    ]);
    const same = liveSandboxIndex([
      { taskId: "t1", status: "ready", createdAt: 9 },
    ]);
    const other = liveSandboxIndex([
      { taskId: "t1", status: "stopping", createdAt: 1 },
    ]);
    expect(sameSandboxIndex(a, same)).toBe(true);
    expect(sameSandboxIndex(a, other)).toBe(false);
    expect(sameSandboxIndex(a, new Map())).toBe(false);
  });
});
