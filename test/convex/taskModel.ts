/**
 * A plain in-memory model of the task rules, written from the spec
 * independently of convex/model, for the model-based random test. It answers
 * what each operation should do: an error code, or the new state.
 */
import type { ErrorCode } from "../../convex/model/errors";
import type { Priority, TaskStatus } from "../../convex/validators";

export type Who = { id: string; kind: "person" | "agent"; canWrite: boolean };

export type ModelTask = {
  key: number;
  status: TaskStatus;
  priority: Priority;
  dependsOn: number[];
  assignee: string | null;
  lease: { holder: string; expiresAt: number } | null;
};

export const ALLOWED: Record<TaskStatus, TaskStatus[]> = {
  backlog: ["todo", "cancelled"],
  todo: ["backlog", "in_progress", "blocked", "cancelled"],
  in_progress: ["todo", "in_review", "done", "blocked", "cancelled"],
  in_review: ["in_progress", "done", "blocked", "cancelled"],
  blocked: ["todo", "in_progress", "cancelled"],
  done: ["todo"],
  cancelled: ["backlog", "todo"],
};
const ACTIVE: TaskStatus[] = ["in_progress", "in_review"];
const NEEDS_DEPS_DONE: TaskStatus[] = ["in_progress", "in_review", "done"];
const RANK: Record<Priority, number> = {
  urgent: 0,
  high: 1,
  medium: 2,
  low: 3,
};

export type Outcome =
  { ok: true; taskKey?: number } | { ok: false; code: ErrorCode };

export class TaskModel {
  readonly tasks: ModelTask[] = [];
  now = 0;

  openBlockers(task: ModelTask): number {
    return task.dependsOn.filter((key) => this.tasks[key]!.status !== "done")
      .length;
  }

  private live(task: ModelTask): boolean {
    return task.lease !== null && task.lease.expiresAt > this.now;
  }

  private leasedByOther(who: Who, task: ModelTask): boolean {
    return (
      who.kind === "agent" && this.live(task) && task.lease!.holder !== who.id
    );
  }

  create(who: Who, priority: Priority, dependsOn: number[]): Outcome {
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    const key = this.tasks.length;
    this.tasks.push({
      key,
      status: "todo",
      priority,
      dependsOn: [...new Set(dependsOn)],
      assignee: null,
      lease: null,
    });
    return { ok: true, taskKey: key };
  }

  move(who: Who, key: number, to: TaskStatus): Outcome {
    const task = this.tasks[key]!;
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    if (this.leasedByOther(who, task)) return { ok: false, code: "FORBIDDEN" };
    if (task.status === to) return { ok: true };
    if (!ALLOWED[task.status].includes(to))
      return { ok: false, code: "ILLEGAL_TRANSITION" };
    if (NEEDS_DEPS_DONE.includes(to) && this.openBlockers(task) > 0) {
      return { ok: false, code: "DEPENDENCIES_OPEN" };
    }
    task.status = to;
    if (!ACTIVE.includes(to)) task.lease = null;
    return { ok: true };
  }

  private claimable(who: Who, task: ModelTask): boolean {
    if (this.openBlockers(task) > 0) return false;
    if (this.live(task) && task.lease!.holder !== who.id) return false;
    return task.status === "todo" || ACTIVE.includes(task.status);
  }

  claim(who: Who, key: number | null, leaseMs: number): Outcome {
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    let task: ModelTask | undefined;
    if (key === null) {
      task = this.tasks
        .filter((t) => t.status === "todo" && this.openBlockers(t) === 0)
        .sort((x, y) => RANK[x.priority] - RANK[y.priority] || x.key - y.key)
        .find((t) => this.claimable(who, t));
      if (task === undefined) return { ok: false, code: "NOTHING_READY" };
    } else {
      task = this.tasks[key]!;
      if (!this.claimable(who, task))
        return { ok: false, code: "NOT_CLAIMABLE" };
    }
    if (!ACTIVE.includes(task.status)) task.status = "in_progress";
    task.assignee = who.id;
    task.lease = { holder: who.id, expiresAt: this.now + leaseMs };
    return { ok: true, taskKey: task.key };
  }

  renew(who: Who, key: number, leaseMs: number): Outcome {
    const task = this.tasks[key]!;
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    if (task.lease?.holder !== who.id) return { ok: false, code: "LEASE_LOST" };
    task.lease = { holder: who.id, expiresAt: this.now + leaseMs };
    return { ok: true };
  }

  release(who: Who, key: number): Outcome {
    const task = this.tasks[key]!;
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    if (task.lease?.holder !== who.id) return { ok: false, code: "LEASE_LOST" };
    this.giveBack(task);
    return { ok: true };
  }

  setDependencies(who: Who, key: number, dependsOn: number[]): Outcome {
    const task = this.tasks[key]!;
    if (!who.canWrite) return { ok: false, code: "FORBIDDEN" };
    if (this.leasedByOther(who, task)) return { ok: false, code: "FORBIDDEN" };
    if (
      dependsOn.includes(key) ||
      dependsOn.some((dep) => this.reaches(dep, key))
    ) {
      return { ok: false, code: "DEPENDENCY_CYCLE" };
    }
    task.dependsOn = [...new Set(dependsOn)];
    return { ok: true };
  }

  /** Whether `from` depends (transitively) on `target`. */
  private reaches(from: number, target: number): boolean {
    const stack = [from];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const key = stack.pop()!;
      if (key === target) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      stack.push(...this.tasks[key]!.dependsOn);
    }
    return false;
  }

  /** In-progress work goes back to the queue; reviewed work stays in review with its author. */
  private giveBack(task: ModelTask): void {
    if (task.status === "in_progress") {
      task.status = "todo";
      task.assignee = null;
    }
    task.lease = null;
  }

  /** The cron: every lease that ran out returns its task to the queue. */
  reclaim(): void {
    for (const task of this.tasks) {
      if (task.lease !== null && task.lease.expiresAt <= this.now) {
        this.giveBack(task);
      }
    }
  }
}
