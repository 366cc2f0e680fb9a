/**
 * The task state machine, dependencies, the ready queue, per-project numbering
 * and the one-audit-event-per-mutation rule, exercised through the public API.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  ALLOWED_TRANSITIONS,
  TASK_STATUSES,
} from "../../convex/model/taskStatus";
import type { Priority, TaskStatus } from "../../convex/validators";
import { expectCode } from "./expectCode";
import {
  as,
  auditEvents,
  freshWorld,
  mustRead,
  type Backend,
  type World,
} from "./world";

/**
 * The transitions the product allows, written out by hand from the spec of the
 * board (not copied from ALLOWED_TRANSITIONS) so that a wrong edit of the
 * table is caught here too:
 * - backlog is triage: it goes to the queue or is dropped;
 * - todo can be parked, started, found blocked, or dropped;
 * - work in progress can go back to the queue, to review, straight to done,
 *   be blocked or be dropped;
 * - review sends back to work, finishes, blocks or drops;
 * - blocked work is unblocked into the queue or straight back into work;
 * - done and cancelled are reopened only through the queue (cancelled may
 *   also go back to triage).
 */
const SPEC_TRANSITIONS: readonly string[] = [
  "backlog->todo",
  "backlog->cancelled",
  "todo->backlog",
  "todo->in_progress",
  "todo->blocked",
  "todo->cancelled",
  "in_progress->todo",
  "in_progress->in_review",
  "in_progress->done",
  "in_progress->blocked",
  "in_progress->cancelled",
  "in_review->in_progress",
  "in_review->done",
  "in_review->blocked",
  "in_review->cancelled",
  "blocked->todo",
  "blocked->in_progress",
  "blocked->cancelled",
  "done->todo",
  "cancelled->backlog",
  "cancelled->todo",
];

const allowedBySpec = (from: TaskStatus, to: TaskStatus) =>
  SPEC_TRANSITIONS.includes(`${from}->${to}`);
const allowedByTable = (from: TaskStatus, to: TaskStatus) =>
  ALLOWED_TRANSITIONS[from].includes(to);

const MATRIX: [TaskStatus, TaskStatus][] = TASK_STATUSES.flatMap((from) =>
  TASK_STATUSES.map((to): [TaskStatus, TaskStatus] => [from, to]),
);

const setup = freshWorld;

async function newTask(
  t: Backend,
  world: World,
  input: {
    title?: string;
    priority?: Priority;
    dependsOn?: Id<"tasks">[];
    projectId?: Id<"projects">;
    status?: "backlog" | "todo";
  } = {},
): Promise<Id<"tasks">> {
  return await as(t, world.a.member).mutation(api.tasks.create, {
    projectId: input.projectId ?? world.projectA,
    title: input.title ?? "A task",
    ...(input.priority === undefined ? {} : { priority: input.priority }),
    ...(input.dependsOn === undefined ? {} : { dependsOn: input.dependsOn }),
    ...(input.status === undefined ? {} : { status: input.status }),
  });
}

const readTask = (t: Backend, id: Id<"tasks">) => mustRead(t, "tasks", id);

/** Puts a task straight into a status, bypassing the state machine (setup only). */
async function forceStatus(
  t: Backend,
  taskId: Id<"tasks">,
  status: TaskStatus,
): Promise<void> {
  await t.run(async (ctx) => {
    await ctx.db.patch("tasks", taskId, { status });
  });
}

/**
 * Recomputes what `openBlockers` and the reverse index must be from
 * `dependsOn` and the blockers' statuses, and asserts the stored values agree.
 */
async function expectDependencyBookkeeping(
  t: Backend,
  taskId: Id<"tasks">,
): Promise<void> {
  const { task, open, edges } = await t.run(async (ctx) => {
    const task = (await ctx.db.get("tasks", taskId))!;
    let open = 0;
    for (const blockerId of task.dependsOn) {
      const blocker = await ctx.db.get("tasks", blockerId);
      if (blocker?.status !== "done") open += 1;
    }
    const edges = await ctx.db
      .query("taskDependencies")
      .withIndex("by_taskId_blockerId", (q) => q.eq("taskId", taskId))
      .collect();
    return { task, open, edges };
  });
  expect(task.openBlockers).toBe(open);
  expect(edges.map((edge) => edge.blockerId).sort()).toEqual(
    [...task.dependsOn].sort(),
  );
}

describe("the transition table", () => {
  test("ALLOWED_TRANSITIONS matches the spec's list exactly", () => {
    const fromTable = TASK_STATUSES.flatMap((from) =>
      ALLOWED_TRANSITIONS[from].map((to) => `${from}->${to}`),
    );
    expect([...fromTable].sort()).toEqual([...SPEC_TRANSITIONS].sort());
    // Every status appears as a source, and no status moves to itself.
    expect(Object.keys(ALLOWED_TRANSITIONS).sort()).toEqual(
      [...TASK_STATUSES].sort(),
    );
    for (const status of TASK_STATUSES) {
      expect(ALLOWED_TRANSITIONS[status]).not.toContain(status);
    }
  });
});

describe("api.tasks.move over the full 7x7 matrix", () => {
  test.each(MATRIX)("%s -> %s", async (from, to) => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world);
    await forceStatus(t, taskId, from);
    const before = await auditEvents(t);
    const move = as(t, world.a.member).mutation(api.tasks.move, {
      taskId,
      status: to,
    });

    if (from === to) {
      // Moving to the current status is an idempotent no-op (drag to the same
      // column, a retried MCP call): no error, no change, no audit event.
      const returned = await move;
      expect(returned.status).toBe(from);
      expect((await readTask(t, taskId)).status).toBe(from);
      expect(await auditEvents(t)).toHaveLength(before.length);
      return;
    }

    expect(allowedByTable(from, to)).toBe(allowedBySpec(from, to));
    if (allowedBySpec(from, to)) {
      const returned = await move;
      expect(returned.status).toBe(to);
      expect((await readTask(t, taskId)).status).toBe(to);
      const after = await auditEvents(t);
      expect(after).toHaveLength(before.length + 1);
      expect(after.at(-1)).toMatchObject({
        action: "task.move",
        entity: "task",
        entityId: taskId,
        actor: world.a.member.userId,
        before: { status: from },
        after: { status: to },
      });
    } else {
      await expectCode(move, "ILLEGAL_TRANSITION");
      expect((await readTask(t, taskId)).status).toBe(from);
      expect(await auditEvents(t)).toHaveLength(before.length);
    }
  });
});

describe("dependencies", () => {
  test("entering in_progress, in_review or done with an open dependency is refused", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const blocker = await newTask(t, world, { title: "Blocker" });
    const taskId = await newTask(t, world, { dependsOn: [blocker] });
    expect((await readTask(t, taskId)).openBlockers).toBe(1);

    await expectCode(
      member.mutation(api.tasks.move, { taskId, status: "in_progress" }),
      "DEPENDENCIES_OPEN",
    );
    // From blocked too: the check is on the target status, not the path.
    await member.mutation(api.tasks.move, { taskId, status: "blocked" });
    await expectCode(
      member.mutation(api.tasks.move, { taskId, status: "in_progress" }),
      "DEPENDENCIES_OPEN",
    );
    await member.mutation(api.tasks.move, { taskId, status: "todo" });

    // Finish the blocker, start the task, then reopen the blocker: the task is
    // in progress with an open dependency and may not go to review or done.
    await member.mutation(api.tasks.move, {
      taskId: blocker,
      status: "in_progress",
    });
    await member.mutation(api.tasks.move, { taskId: blocker, status: "done" });
    await member.mutation(api.tasks.move, { taskId, status: "in_progress" });
    await member.mutation(api.tasks.move, { taskId: blocker, status: "todo" });
    expect((await readTask(t, taskId)).openBlockers).toBe(1);
    const events = (await auditEvents(t)).length;
    await expectCode(
      member.mutation(api.tasks.move, { taskId, status: "in_review" }),
      "DEPENDENCIES_OPEN",
    );
    await expectCode(
      member.mutation(api.tasks.move, { taskId, status: "done" }),
      "DEPENDENCIES_OPEN",
    );
    expect((await readTask(t, taskId)).status).toBe("in_progress");
    expect(await auditEvents(t)).toHaveLength(events);
    // Moves that do not need finished dependencies still work.
    await member.mutation(api.tasks.move, { taskId, status: "blocked" });
    expect((await readTask(t, taskId)).status).toBe("blocked");
  });

  test("a task cannot depend on itself", async () => {
    const { t, world } = await setup();
    const a = await newTask(t, world);
    await expectCode(
      as(t, world.a.member).mutation(api.tasks.setDependencies, {
        taskId: a,
        dependsOn: [a],
      }),
      "DEPENDENCY_CYCLE",
    );
    expect((await readTask(t, a)).dependsOn).toEqual([]);
  });

  test("a 2-cycle is refused", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const b = await newTask(t, world, { title: "B" });
    const a = await newTask(t, world, { title: "A", dependsOn: [b] });
    await expectCode(
      member.mutation(api.tasks.setDependencies, { taskId: b, dependsOn: [a] }),
      "DEPENDENCY_CYCLE",
    );
    expect((await readTask(t, b)).dependsOn).toEqual([]);
    await expectDependencyBookkeeping(t, a);
    await expectDependencyBookkeeping(t, b);
  });

  test("a 3-cycle is refused, a diamond is not", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const c = await newTask(t, world, { title: "C" });
    const b = await newTask(t, world, { title: "B", dependsOn: [c] });
    const a = await newTask(t, world, { title: "A", dependsOn: [b] });
    await expectCode(
      member.mutation(api.tasks.setDependencies, { taskId: c, dependsOn: [a] }),
      "DEPENDENCY_CYCLE",
    );
    expect((await readTask(t, c)).dependsOn).toEqual([]);

    // Two paths to the same task are not a cycle.
    const d = await newTask(t, world, { title: "D" });
    await member.mutation(api.tasks.setDependencies, {
      taskId: b,
      dependsOn: [d],
    });
    await member.mutation(api.tasks.setDependencies, {
      taskId: c,
      dependsOn: [d],
    });
    await member.mutation(api.tasks.setDependencies, {
      taskId: a,
      dependsOn: [b, c],
    });
    expect((await readTask(t, a)).dependsOn).toEqual([b, c]);
    for (const id of [a, b, c, d]) await expectDependencyBookkeeping(t, id);
  });

  test("a dependency on another project's task is refused", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const here = await newTask(t, world);
    const elsewhere = await newTask(t, world, { projectId: world.projectA2 });
    await expectCode(
      member.mutation(api.tasks.setDependencies, {
        taskId: here,
        dependsOn: [elsewhere],
      }),
      "INVALID_ARGUMENT",
    );
    await expectCode(
      member.mutation(api.tasks.create, {
        projectId: world.projectA,
        title: "Cross",
        dependsOn: [elsewhere],
      }),
      "INVALID_ARGUMENT",
    );
    expect((await readTask(t, here)).dependsOn).toEqual([]);
    const edges = await t.run(
      async (ctx) => await ctx.db.query("taskDependencies").collect(),
    );
    expect(edges).toEqual([]);
  });

  test("openBlockers follows blockers into done and back out (reopen)", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const finish = async (taskId: Id<"tasks">) => {
      await member.mutation(api.tasks.move, { taskId, status: "in_progress" });
      await member.mutation(api.tasks.move, { taskId, status: "done" });
    };
    const b = await newTask(t, world, { title: "B" });
    const c = await newTask(t, world, { title: "C" });
    const a = await newTask(t, world, { title: "A", dependsOn: [b, c] });
    const openOf = async () => (await readTask(t, a)).openBlockers;
    expect(await openOf()).toBe(2);

    await finish(b);
    expect(await openOf()).toBe(1);
    await expectDependencyBookkeeping(t, a);

    // Cancelling is not finishing: still blocks.
    await member.mutation(api.tasks.move, { taskId: c, status: "cancelled" });
    expect(await openOf()).toBe(1);

    await member.mutation(api.tasks.move, { taskId: c, status: "todo" });
    await finish(c);
    expect(await openOf()).toBe(0);
    await expectDependencyBookkeeping(t, a);

    // Reopen B: A is blocked again.
    await member.mutation(api.tasks.move, { taskId: b, status: "todo" });
    expect(await openOf()).toBe(1);
    await expectDependencyBookkeeping(t, a);

    // Dropping the open dependency unblocks; adding a done one does not block.
    await member.mutation(api.tasks.setDependencies, {
      taskId: a,
      dependsOn: [c],
    });
    expect(await openOf()).toBe(0);
    await expectDependencyBookkeeping(t, a);

    // B going to done now must not touch A (the edge is gone).
    await finish(b);
    expect(await openOf()).toBe(0);
    await member.mutation(api.tasks.setDependencies, {
      taskId: a,
      dependsOn: [b, c],
    });
    expect(await openOf()).toBe(0);
    await member.mutation(api.tasks.move, { taskId: c, status: "todo" });
    expect(await openOf()).toBe(1);
    await expectDependencyBookkeeping(t, a);
  });
});

describe("api.tasks.listReady", () => {
  test("only unblocked todo tasks, by priority then age", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const low = await newTask(t, world, { title: "low", priority: "low" });
    const medium1 = await newTask(t, world, { title: "medium 1" });
    const urgent = await newTask(t, world, {
      title: "urgent",
      priority: "urgent",
    });
    const medium2 = await newTask(t, world, { title: "medium 2" });
    const high = await newTask(t, world, { title: "high", priority: "high" });
    const blocker = await newTask(t, world, {
      title: "blocker",
      priority: "low",
    });
    const blocked = await newTask(t, world, {
      title: "blocked",
      priority: "urgent",
      dependsOn: [blocker],
    });
    await newTask(t, world, {
      title: "backlog",
      status: "backlog",
      priority: "urgent",
    });
    const started = await newTask(t, world, {
      title: "started",
      priority: "urgent",
    });
    await member.mutation(api.tasks.move, {
      taskId: started,
      status: "in_progress",
    });
    const parked = await newTask(t, world, {
      title: "parked",
      priority: "urgent",
    });
    await member.mutation(api.tasks.move, {
      taskId: parked,
      status: "blocked",
    });
    // Another project's ready task never shows up here.
    await newTask(t, world, { projectId: world.projectA2, priority: "urgent" });

    const ids = async () =>
      (
        await as(t, world.a.viewer).query(api.tasks.listReady, {
          projectId: world.projectA,
        })
      ).map((task) => task._id);
    expect(await ids()).toEqual([urgent, high, medium1, medium2, low, blocker]);

    await member.mutation(api.tasks.move, {
      taskId: blocker,
      status: "in_progress",
    });
    expect(await ids()).toEqual([urgent, high, medium1, medium2, low]);
    await member.mutation(api.tasks.move, { taskId: blocker, status: "done" });
    // The unblocked urgent task is younger than the other urgent one.
    expect(await ids()).toEqual([urgent, blocked, high, medium1, medium2, low]);

    // Re-prioritising moves a task within the queue.
    await member.mutation(api.tasks.update, { taskId: low, priority: "high" });
    expect(await ids()).toEqual([urgent, blocked, low, high, medium1, medium2]);

    const limited = await as(t, world.a.viewer).query(api.tasks.listReady, {
      projectId: world.projectA,
      limit: 2,
    });
    expect(limited.map((task) => task._id)).toEqual([urgent, blocked]);
  });
});

test("task numbers increase per project", async () => {
  const { t, world } = await setup();
  const numbers: Record<string, number[]> = { A: [], A2: [] };
  for (const projectName of ["A", "A2", "A", "A", "A2"] as const) {
    const projectId = projectName === "A" ? world.projectA : world.projectA2;
    const taskId = await newTask(t, world, { projectId });
    numbers[projectName]!.push((await readTask(t, taskId)).number);
  }
  expect(numbers).toEqual({ A: [1, 2, 3], A2: [1, 2] });
  const projects = await t.run(async (ctx) => [
    await ctx.db.get("projects", world.projectA),
    await ctx.db.get("projects", world.projectA2),
  ]);
  expect(projects.map((project) => project?.nextTaskNumber)).toEqual([4, 3]);
});

describe("audit", () => {
  test("each task mutation writes exactly one event with its action name", async () => {
    const { t, world } = await setup();
    const member = as(t, world.a.member);
    const agent = as(t, world.agent);
    const blocker = await newTask(t, world, { title: "Blocker" });

    let taskId: Id<"tasks"> | undefined;
    const steps: [string, () => Promise<unknown>][] = [
      [
        "task.create",
        async () => {
          taskId = await newTask(t, world, { title: "Audited" });
        },
      ],
      [
        "task.edit",
        () =>
          member.mutation(api.tasks.update, {
            taskId: taskId!,
            title: "Renamed",
          }),
      ],
      [
        "task.assign",
        () =>
          member.mutation(api.tasks.assign, {
            taskId: taskId!,
            assigneeId: world.a.admin.userId,
          }),
      ],
      [
        "task.dependencies",
        () =>
          member.mutation(api.tasks.setDependencies, {
            taskId: taskId!,
            dependsOn: [blocker],
          }),
      ],
      [
        "task.dependencies",
        () =>
          member.mutation(api.tasks.setDependencies, {
            taskId: taskId!,
            dependsOn: [],
          }),
      ],
      [
        "task.move",
        () =>
          member.mutation(api.tasks.move, {
            taskId: taskId!,
            status: "backlog",
          }),
      ],
      [
        "task.move",
        () =>
          member.mutation(api.tasks.move, { taskId: taskId!, status: "todo" }),
      ],
      [
        "task.claim",
        () =>
          agent.mutation(api.tasks.claim, {
            projectId: world.projectA,
            taskId: taskId!,
          }),
      ],
      [
        "task.renew_lease",
        () => agent.mutation(api.tasks.renewLease, { taskId: taskId! }),
      ],
      [
        "task.release",
        () => agent.mutation(api.tasks.release, { taskId: taskId! }),
      ],
    ];

    for (const [action, run] of steps) {
      const before = await auditEvents(t);
      await run();
      const after = await auditEvents(t);
      expect(after, action).toHaveLength(before.length + 1);
      const event = after.at(-1)!;
      expect(event, action).toMatchObject({
        action,
        entity: "task",
        entityId: taskId,
        orgId: world.orgA,
      });
      expect(event.actor, action).toBe(
        action.startsWith("task.claim") ||
          action === "task.renew_lease" ||
          action === "task.release"
          ? world.agent.agentId
          : world.a.member.userId,
      );
    }

    // Moving the blocker to done updates the dependent's counter, yet writes
    // one event: the move itself.
    await member.mutation(api.tasks.setDependencies, {
      taskId: taskId!,
      dependsOn: [blocker],
    });
    await member.mutation(api.tasks.move, {
      taskId: blocker,
      status: "in_progress",
    });
    const before = await auditEvents(t);
    await member.mutation(api.tasks.move, { taskId: blocker, status: "done" });
    const after = await auditEvents(t);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      action: "task.move",
      entityId: blocker,
    });
    expect((await readTask(t, taskId!)).openBlockers).toBe(0);
  });

  test("a refused mutation writes no event", async () => {
    const { t, world } = await setup();
    const taskId = await newTask(t, world);
    const before = await auditEvents(t);
    await expectCode(
      as(t, world.a.member).mutation(api.tasks.move, {
        taskId,
        status: "done",
      }),
      "ILLEGAL_TRANSITION",
    );
    await expectCode(
      as(t, world.a.viewer).mutation(api.tasks.update, { taskId, title: "No" }),
      "FORBIDDEN",
    );
    expect(await auditEvents(t)).toHaveLength(before.length);
  });
});
