/**
 * Sandboxes in the control plane: request, a runner's claim and stage
 * reports, failure and retry from the failed stage, runners that lose their
 * claim, cleanup when the task ends (keeping unmerged work), the cron for
 * runners that vanished, and the sandbox token's task scope.
 */
import { describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  SANDBOX_STAGES,
  sandboxBranch,
} from "../../convex/model/sandboxStages";
import { expectCode } from "./expectCode";
import { insertTask } from "./publicFunctionCases";
import {
  as,
  auditEvents,
  freshWorld,
  mustRead,
  useFakeClock,
  type Backend,
  type World,
} from "./world";

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
useFakeClock(T0);

const RUNNER = { runnerId: "window-1", repository: "/src/app", host: "local" };

async function requestFor(t: Backend, world: World, title = "Fix login") {
  const taskId = await insertTask(t, world, {
    title,
    assigneeId: world.agent.agentId,
  });
  const sandboxId = await as(t, world.a.member).mutation(
    api.sandboxes.request,
    { taskId, baseBranch: "main" },
  );
  return { taskId, sandboxId };
}

async function claim(t: Backend, world: World, runnerId = RUNNER.runnerId) {
  return await as(t, world.a.member).mutation(api.sandboxes.claimWork, {
    projectId: world.projectA,
    ...RUNNER,
    runnerId,
  });
}

function report(
  t: Backend,
  world: World,
  sandboxId: Id<"sandboxes">,
  stage: (typeof SANDBOX_STAGES)[number],
  state: "running" | "done" | "failed",
  extra: { error?: string; logTail?: string } = {},
) {
  return as(t, world.a.member).mutation(api.sandboxes.reportStage, {
    sandboxId,
    runnerId: RUNNER.runnerId,
    stage,
    state,
    ...extra,
  });
}

describe("branch names", () => {
  test("switchboard/<task-key>-<slug>, ASCII, bounded", () => {
    expect(sandboxBranch("SB-12", "Fix: Login rédirect!! (again)")).toBe(
      "switchboard/SB-12-fix-login-redirect-again",
    );
    expect(sandboxBranch("SB-1", "???")).toBe("switchboard/SB-1");
    const long = sandboxBranch("SB-2", "word ".repeat(30));
    expect(long.length).toBeLessThanOrEqual("switchboard/SB-2-".length + 40);
    expect(long.endsWith("-")).toBe(false);
  });
});

describe("provisioning", () => {
  test("a runner claims the request and reports every stage to ready", async () => {
    const { t, world } = await freshWorld();
    const { sandboxId } = await requestFor(t, world);
    const claimed = await claim(t, world);
    expect(claimed?._id).toBe(sandboxId);
    // The task names the sandbox's branch.
    const { taskId } = await mustRead(t, "sandboxes", sandboxId);
    expect((await mustRead(t, "tasks", taskId)).branch).toBe(
      "switchboard/AA-1-fix-login",
    );
    expect(claimed).toMatchObject({
      status: "provisioning",
      repository: "/src/app",
      branch: "switchboard/AA-1-fix-login",
    });
    // A second runner finds nothing while the claim holds.
    expect(await claim(t, world, "window-2")).toBeNull();

    for (const stage of SANDBOX_STAGES) {
      await report(t, world, sandboxId, stage, "running");
      vi.advanceTimersByTime(1_000);
      await report(t, world, sandboxId, stage, "done");
    }
    const ready = await mustRead(t, "sandboxes", sandboxId);
    expect(ready.status).toBe("ready");
    expect(ready.runner).toBeUndefined();
    for (const record of ready.stages) {
      expect(record.state).toBe("done");
      expect((record.endedAt ?? 0) - (record.startedAt ?? 0)).toBe(1_000);
    }
    const actions = (await auditEvents(t)).map((event) => event.action);
    expect(actions).toContain("sandbox.request");
    expect(actions).toContain("sandbox.claim");
  });

  test("a failed stage keeps its error and log; retry starts there and keeps earlier stages", async () => {
    const { t, world } = await freshWorld();
    const { sandboxId } = await requestFor(t, world);
    await claim(t, world);
    for (const stage of ["worktree", "container", "configuration"] as const) {
      await report(t, world, sandboxId, stage, "done");
    }
    await report(t, world, sandboxId, "dependencies", "running");
    await report(t, world, sandboxId, "dependencies", "failed", {
      error: "npm ci exited with 1",
      logTail: "npm ERR! missing lockfile",
    });
    const failed = await mustRead(t, "sandboxes", sandboxId);
    expect(failed).toMatchObject({
      status: "failed",
      stage: "dependencies",
      note: "npm ci exited with 1",
      logTail: "npm ERR! missing lockfile",
    });

    await as(t, world.a.member).mutation(api.sandboxes.change, {
      sandboxId,
      change: "retry",
    });
    const retried = await claim(t, world);
    expect(retried).toMatchObject({
      status: "provisioning",
      startStage: "dependencies",
    });
    expect(retried?.stages.map((record) => record.state)).toEqual([
      "done",
      "done",
      "done",
      "pending",
      "pending",
      "pending",
    ]);
  });

  test("a runner that lost its claim cannot report, and the cron fails a vanished runner's stage", async () => {
    const { t, world } = await freshWorld();
    const { sandboxId } = await requestFor(t, world);
    await claim(t, world);
    await report(t, world, sandboxId, "worktree", "running");
    await expectCode(
      as(t, world.a.member).mutation(api.sandboxes.reportStage, {
        sandboxId,
        runnerId: "window-2",
        stage: "worktree",
        state: "done",
      }),
      "LEASE_LOST",
    );
    vi.advanceTimersByTime(11 * 60_000);
    expect(await t.mutation(internal.sandboxes.expireRunners, {})).toBe(1);
    const failed = await mustRead(t, "sandboxes", sandboxId);
    expect(failed.status).toBe("failed");
    expect(failed.note).toMatch(/runner .* stopped during the worktree stage/);
    expect(failed.stages[0]).toMatchObject({ state: "failed" });
    await expectCode(
      report(t, world, sandboxId, "worktree", "done"),
      "LEASE_LOST",
    );
  });
});

describe("requests", () => {
  test("one live sandbox per task; a person must name an agent if none is assigned", async () => {
    const { t, world } = await freshWorld();
    const { taskId } = await requestFor(t, world);
    await expectCode(
      as(t, world.a.member).mutation(api.sandboxes.request, {
        taskId,
        baseBranch: "main",
      }),
      "ALREADY_EXISTS",
    );
    const unassigned = await insertTask(t, world);
    await expectCode(
      as(t, world.a.member).mutation(api.sandboxes.request, {
        taskId: unassigned,
        baseBranch: "main",
      }),
      "INVALID_ARGUMENT",
    );
  });

  test("an agent may request a sandbox only for a task it holds", async () => {
    const { t, world } = await freshWorld();
    const notMine = await insertTask(t, world);
    await expectCode(
      as(t, world.agent).mutation(api.sandboxes.request, {
        taskId: notMine,
        baseBranch: "main",
      }),
      "FORBIDDEN",
    );
  });
});

describe("cleanup", () => {
  test("a task that ends asks for cleanup; kept work is reused by the next sandbox", async () => {
    const { t, world } = await freshWorld();
    const { taskId, sandboxId } = await requestFor(t, world);
    await claim(t, world);
    await report(t, world, sandboxId, "worktree", "done");
    await as(t, world.a.member).mutation(api.sandboxes.reportStage, {
      sandboxId,
      runnerId: RUNNER.runnerId,
      stage: "container",
      state: "done",
      facts: { worktreePath: "/src/app.worktrees/AA-1", branchCreated: true },
    });
    await as(t, world.a.member).action(api.sandboxes.issueToken, {
      sandboxId,
      runnerId: RUNNER.runnerId,
    });

    await as(t, world.a.member).mutation(api.tasks.move, {
      taskId,
      status: "cancelled",
    });
    expect((await mustRead(t, "sandboxes", sandboxId)).status).toBe("cleaning");
    const cleaning = await claim(t, world);
    expect(cleaning).toMatchObject({ _id: sandboxId, status: "cleaning" });
    await as(t, world.a.member).mutation(api.sandboxes.reportLifecycle, {
      sandboxId,
      runnerId: RUNNER.runnerId,
      outcome: "kept",
      note: "2 commits not merged into main and not pushed",
    });
    const kept = await mustRead(t, "sandboxes", sandboxId);
    expect(kept.status).toBe("kept");
    const token = await mustRead(t, "agentTokens", kept.tokenId!);
    expect(token.revokedAt).toBeTypeOf("number");

    // Reopened, the task's next sandbox continues on the same branch and worktree.
    await as(t, world.a.member).mutation(api.tasks.move, {
      taskId,
      status: "todo",
    });
    const nextId = await as(t, world.a.member).mutation(api.sandboxes.request, {
      taskId,
      baseBranch: "main",
    });
    expect(await mustRead(t, "sandboxes", nextId)).toMatchObject({
      branch: kept.branch,
      branchCreated: true,
      worktreePath: "/src/app.worktrees/AA-1",
    });
  });
});

describe("the sandbox token", () => {
  test("reads the project but changes only its own task", async () => {
    const { t, world } = await freshWorld();
    const { taskId, sandboxId } = await requestFor(t, world);
    await claim(t, world);
    await as(t, world.a.member).action(api.sandboxes.issueToken, {
      sandboxId,
      runnerId: RUNNER.runnerId,
    });
    const { tokenId } = await mustRead(t, "sandboxes", sandboxId);
    const sandboxAgent = { agentId: world.agent.agentId, tokenId: tokenId! };

    const other = await insertTask(t, world, { title: "Someone else's" });
    expect(
      (await as(t, sandboxAgent).query(api.tasks.get, { taskId: other })).title,
    ).toBe("Someone else's");
    await expectCode(
      as(t, sandboxAgent).mutation(api.tasks.move, {
        taskId: other,
        status: "in_progress",
      }),
      "FORBIDDEN",
    );
    const moved = await as(t, sandboxAgent).mutation(api.tasks.move, {
      taskId,
      status: "in_progress",
    });
    expect(moved.status).toBe("in_progress");
  });
});
