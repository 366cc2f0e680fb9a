/**
 * Model-based random test: random sequences of task operations by several
 * principals run against the backend and against TaskModel; after every step
 * the outcome (success or error code) and every task's state must agree.
 */
import { expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { errorCode, type ErrorCode } from "../../convex/model/errors";
import { TASK_STATUSES } from "../../convex/model/taskStatus";
import type { Priority } from "../../convex/validators";
import { ALLOWED, TaskModel, type Outcome, type Who } from "./taskModel";
import {
  addAgents,
  as,
  makeWorld,
  newBackend,
  useFakeClock,
  type AgentActor,
  type Backend,
  type Person,
} from "./world";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const STEPS = 100;
const MAX_TASKS = 12;
const PRIORITIES: Priority[] = ["urgent", "high", "medium", "low"];
/** Outcomes seen across all seeds, checked at the end so the runs are known to cover each rule. */
const tally = new Map<string, number>();

/** mulberry32: small, fast and reproducible from a seed. */
function rng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let r = Math.imul(state ^ (state >>> 15), 1 | state);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}

type Actor = { who: Who; caller: Person | AgentActor; principalId: string };

async function outcomeOf(
  call: () => Promise<unknown>,
): Promise<Outcome & { value?: unknown }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const code = errorCode(error);
    if (code === undefined) throw error;
    return { ok: false, code };
  }
}

useFakeClock(Date.UTC(2026, 0, 1), { toFake: ["Date"] });

test.each(SEEDS)(
  "random task operations agree with the model (seed %i)",
  async (seed) => {
    const t: Backend = newBackend();
    const world = await makeWorld(t);
    // Two more agents whose tokens carry only the task scopes.
    const extraAgents = await addAgents(
      t,
      world,
      ["agent-x", "agent-y"],
      ["tasks:read", "tasks:write", "tasks:claim"],
    );
    const actors: Actor[] = [
      person(world.a.member, "member", true),
      person(world.a.viewer, "viewer", false),
      agent(world.agent, "agent-a"),
      ...extraAgents.map((caller, index) => agent(caller, `agent-${index}`)),
    ];
    const model = new TaskModel();
    const start = Date.now();
    const ids: Id<"tasks">[] = [];
    const random = rng(seed);
    const log: string[] = [];

    for (let step = 0; step < STEPS; step++) {
      model.now = Date.now() - start;
      const actor = random.pick(actors);
      const as_ = as(t, actor.caller);
      const anyTask = () => random.int(ids.length);
      const deps = () =>
        ids.length === 0
          ? []
          : [...new Set(Array.from({ length: random.int(3) }, anyTask))];
      const leaseMs = random.pick([60_000, 5 * 60_000, 15 * 60_000]);
      const roll = random.next();
      let expected: Outcome;
      let actual: Outcome & { value?: unknown };
      let label: string;

      if (ids.length === 0 || (roll < 0.15 && ids.length < MAX_TASKS)) {
        const priority = random.pick(PRIORITIES);
        const dependsOn = deps();
        label = `create(${priority}, deps=${dependsOn.join(",")})`;
        expected = model.create(actor.who, priority, dependsOn);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.create, {
            projectId: world.projectA,
            title: `task ${ids.length}`,
            priority,
            dependsOn: dependsOn.map((key) => ids[key]!),
          }),
        );
        if (actual.ok) ids.push(actual.value as Id<"tasks">);
      } else if (roll < 0.4) {
        const key = anyTask();
        // Mostly legal moves, so runs reach deep states (done, reopened, review).
        const status = model.tasks[key]!.status;
        const to =
          random.next() < 0.7
            ? random.pick(ALLOWED[status])
            : random.pick(TASK_STATUSES);
        label = `move(${key}, ${to})`;
        expected = model.move(actor.who, key, to);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.move, { taskId: ids[key]!, status: to }),
        );
      } else if (roll < 0.6) {
        const key = random.next() < 0.5 ? null : anyTask();
        label = `claim(${key ?? "next"}, ${leaseMs})`;
        expected = model.claim(actor.who, key, leaseMs);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.claim, {
            projectId: world.projectA,
            ...(key === null ? {} : { taskId: ids[key]! }),
            leaseMs,
          }),
        );
        if (actual.ok && expected.ok) {
          const claimed = (actual.value as { _id: Id<"tasks"> })._id;
          expect(ids.indexOf(claimed), `${label} claimed another task`).toBe(
            expected.taskKey,
          );
        }
      } else if (roll < 0.7) {
        const key = anyTask();
        label = `renew(${key})`;
        expected = model.renew(actor.who, key, leaseMs);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.renewLease, { taskId: ids[key]!, leaseMs }),
        );
      } else if (roll < 0.78) {
        const key = anyTask();
        label = `release(${key})`;
        expected = model.release(actor.who, key);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.release, { taskId: ids[key]! }),
        );
      } else if (roll < 0.88) {
        const key = anyTask();
        const dependsOn = deps();
        label = `setDependencies(${key}, ${dependsOn.join(",")})`;
        expected = model.setDependencies(actor.who, key, dependsOn);
        actual = await outcomeOf(() =>
          as_.mutation(api.tasks.setDependencies, {
            taskId: ids[key]!,
            dependsOn: dependsOn.map((dep) => ids[dep]!),
          }),
        );
      } else {
        const ms = random.pick([30_000, 2 * 60_000, 10 * 60_000, 20 * 60_000]);
        label = `advance ${ms} ms and reclaim`;
        vi.setSystemTime(Date.now() + ms);
        model.now = Date.now() - start;
        model.reclaim();
        expected = { ok: true };
        actual = await outcomeOf(() =>
          t.mutation(internal.leases.reclaimExpired, {}),
        );
      }

      log.push(`${step}: ${actor.who.id} ${label} -> ${describe(actual)}`);
      tally.set(
        `${label.split("(")[0]}:${describe(actual)}`,
        (tally.get(`${label.split("(")[0]}:${describe(actual)}`) ?? 0) + 1,
      );
      const context = `seed ${seed}\n${log.join("\n")}`;
      expect(describe(actual), context).toBe(describe(expected));
      await expectSameState(t, model, ids, actors, start, context);
    }
  },
);

function person(caller: Person, id: string, canWrite: boolean): Actor {
  return {
    who: { id, kind: "person", canWrite },
    caller,
    principalId: caller.userId,
  };
}

function agent(caller: AgentActor, id: string): Actor {
  return {
    who: { id, kind: "agent", canWrite: true },
    caller,
    principalId: caller.agentId,
  };
}

function describe(outcome: Outcome): string {
  return outcome.ok ? "ok" : (outcome.code satisfies ErrorCode);
}

async function expectSameState(
  t: Backend,
  model: TaskModel,
  ids: Id<"tasks">[],
  actors: Actor[],
  start: number,
  context: string,
) {
  const docs = await t.run(async (ctx) =>
    Promise.all(ids.map((id) => ctx.db.get("tasks", id))),
  );
  const whoOf = (principalId: string | undefined) =>
    principalId === undefined
      ? null
      : (actors.find((actor) => actor.principalId === principalId)?.who.id ??
        "?");
  const actual = docs.map((doc) => ({
    status: doc!.status,
    assignee: whoOf(doc!.assigneeId),
    lease: doc!.lease
      ? {
          holder: whoOf(doc!.lease.holderId),
          expiresAt: doc!.lease.expiresAt - start,
        }
      : null,
    openBlockers: doc!.openBlockers,
    dependsOn: doc!.dependsOn.map((id) => ids.indexOf(id)).sort(),
  }));
  const expected = model.tasks.map((task) => ({
    status: task.status,
    assignee: task.assignee,
    lease: task.lease,
    openBlockers: model.openBlockers(task),
    dependsOn: [...task.dependsOn].sort(),
  }));
  expect(actual, context).toEqual(expected);
}

test("the random runs exercised every rule", () => {
  const seen = (key: string) => tally.get(key) ?? 0;
  for (const key of [
    "create:ok",
    "move:ok",
    "move:ILLEGAL_TRANSITION",
    "move:DEPENDENCIES_OPEN",
    "move:FORBIDDEN",
    "claim:ok",
    "claim:NOT_CLAIMABLE",
    "claim:NOTHING_READY",
    "renew:ok",
    "renew:LEASE_LOST",
    "release:ok",
    "setDependencies:ok",
    "setDependencies:DEPENDENCY_CYCLE",
  ]) {
    expect(
      seen(key),
      `${key} in ${JSON.stringify([...tally])}`,
    ).toBeGreaterThan(0);
  }
});
