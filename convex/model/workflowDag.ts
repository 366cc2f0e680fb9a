/**
 * The step graph of a workflow run: layers, cycles, reachability, and which
 * steps may start given the states of the others. Pure and deterministic:
 * ties are broken by the order steps are written in the definition.
 *
 * Run semantics (the interpreter applies them; these functions decide):
 * - A step is ready when it is "pending" and each of its `needs` is
 *   satisfied: "succeeded", "skipped", or "failed" with on_failure
 *   `continue`. A dependent's own `if` can tell these apart through
 *   `steps.<id>.status`.
 * - When a ready step's `if` is false it becomes "skipped" without running,
 *   and its dependents still run (skipped counts as satisfied).
 * - A step that fails (after its retries) with `skip_dependents` makes every
 *   transitive dependent "skipped" at once (stepsToSkip), whatever its other
 *   dependencies; until then those dependents are never ready.
 * - A step that fails with `fail_run` fails the run: nothing is ready any
 *   more and runStatus says "failed".
 *
 * readySteps, freeSlots and runStatus look at every step, so the interpreter
 * does not call them per transaction: it keeps the same rules incrementally
 * (a count of open needs per step, rows read by state through an index;
 * workflowRunFinish.ts and workflowRunStatus.ts). They stay the reference
 * statement of the rules, tested as such.
 */
import type { WorkflowDefinition } from "./workflowSpec";

/**
 * "waiting": started but idle: for a person's approval, or between retries.
 * "failed" is final: the interpreter retries while a step is waiting.
 */
export const STEP_STATES = [
  "pending",
  "waiting",
  "running",
  "succeeded",
  "failed",
  "skipped",
] as const;
export type StepState = (typeof STEP_STATES)[number];
export type RunStatus = "running" | "succeeded" | "failed";

/** The part of a step the graph functions need; validation uses it too. */
export type StepLinks = { id: string; needs: readonly string[] };
type Graph = { steps: readonly StepLinks[] };
type Run = Pick<WorkflowDefinition, "steps" | "concurrency">;
type States = Readonly<Record<string, StepState | undefined>>;

const FINISHED: ReadonlySet<StepState> = new Set([
  "succeeded",
  "failed",
  "skipped",
]);

function stateOf(states: States, id: string): StepState {
  return (Object.hasOwn(states, id) ? states[id] : undefined) ?? "pending";
}

/**
 * Topological layers: layer 0 has no dependencies, layer n holds the steps
 * whose deepest dependency is in layer n-1. Needs naming unknown steps are
 * ignored. Throws on a cycle (validated definitions have none).
 */
export function layers(definition: Graph): string[][] {
  const index = new Map(definition.steps.map((step, i) => [step.id, i]));
  const depth: number[] = definition.steps.map(() => -1);
  const open = definition.steps.map(
    (step) => step.needs.filter((id) => index.has(id)).length,
  );
  const dependents = dependentIndexes(definition, index);
  const queue = definition.steps.flatMap((_, i) => (open[i] === 0 ? [i] : []));
  for (const i of queue) depth[i] = 0;
  for (let head = 0; head < queue.length; head += 1) {
    const i = queue[head] ?? 0;
    for (const j of dependents[i] ?? []) {
      depth[j] = Math.max(depth[j] ?? 0, (depth[i] ?? 0) + 1);
      open[j] = (open[j] ?? 0) - 1;
      if (open[j] === 0) queue.push(j);
    }
  }
  if (queue.length < definition.steps.length) {
    throw new Error("The workflow's steps form a cycle.");
  }
  const result: string[][] = [];
  definition.steps.forEach((step, i) => {
    const d = depth[i] ?? 0;
    (result[d] ??= []).push(step.id);
  });
  return result;
}

/** For each step (by index), the indexes of the steps that need it. */
function dependentIndexes(
  definition: Graph,
  index: ReadonlyMap<string, number>,
): number[][] {
  const dependents: number[][] = definition.steps.map(() => []);
  definition.steps.forEach((step, j) => {
    for (const id of new Set(step.needs)) {
      const i = index.get(id);
      if (i !== undefined && i !== j) dependents[i]?.push(j);
    }
  });
  return dependents;
}

/**
 * Up to `limit` dependency cycles, each as the ids along `needs` edges back
 * to its first step (e.g. ["a", "b", "a"]: a needs b, b needs a), starting
 * at the cycle's earliest-written step. Self-needs and unknown ids are left
 * to the caller.
 */
export function findCycles(definition: Graph, limit = 10): string[][] {
  const index = new Map(definition.steps.map((step, i) => [step.id, i]));
  const color = new Uint8Array(definition.steps.length); // 0 new, 1 on path, 2 done
  const cycles: string[][] = [];
  for (let root = 0; root < definition.steps.length; root += 1) {
    if (color[root] !== 0) continue;
    // Iterative DFS: a 2,000-step chain must not overflow the stack.
    const path: number[] = [root];
    const cursor: number[] = [0];
    color[root] = 1;
    while (path.length > 0 && cycles.length < limit) {
      const top = path.length - 1;
      const i = path[top] ?? 0;
      const needs = definition.steps[i]?.needs ?? [];
      const k = cursor[top] ?? 0;
      if (k >= needs.length) {
        color[i] = 2;
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[top] = k + 1;
      const j = index.get(needs[k] ?? "");
      if (j === undefined || j === i) continue;
      if (color[j] === 1) {
        cycles.push(rotate(path.slice(path.indexOf(j)), definition));
      } else if (color[j] === 0) {
        color[j] = 1;
        path.push(j);
        cursor.push(0);
      }
    }
  }
  return cycles;
}

function rotate(cycle: number[], definition: Graph): string[] {
  const first = cycle.indexOf(Math.min(...cycle));
  const ordered = [...cycle.slice(first), ...cycle.slice(0, first)];
  return [...ordered, ordered[0] ?? 0].map(
    (i) => definition.steps[i]?.id ?? "",
  );
}

/**
 * A test "does step a (transitively) need step b?", answered from bitsets
 * built once in topological order. Requires an acyclic graph.
 */
export function dependsOnTest(
  definition: Graph,
): (stepId: string, dependencyId: string) => boolean {
  const index = new Map(definition.steps.map((step, i) => [step.id, i]));
  const words = Math.ceil(definition.steps.length / 32);
  const closure = definition.steps.map(() => new Uint32Array(words));
  for (const layer of layers(definition)) {
    for (const id of layer) {
      const i = index.get(id) ?? 0;
      const own = closure[i] ?? new Uint32Array(words);
      for (const need of definition.steps[i]?.needs ?? []) {
        const j = index.get(need);
        if (j === undefined || j === i) continue;
        own[j >>> 5] = (own[j >>> 5] ?? 0) | (1 << (j & 31));
        const inherited = closure[j] ?? own;
        for (let w = 0; w < words; w += 1) {
          own[w] = (own[w] ?? 0) | (inherited[w] ?? 0);
        }
      }
    }
  }
  return (stepId, dependencyId) => {
    const i = index.get(stepId);
    const j = index.get(dependencyId);
    if (i === undefined || j === undefined) return false;
    return ((closure[i]?.[j >>> 5] ?? 0) & (1 << (j & 31))) !== 0;
  };
}

/** Every transitive dependent of a step, in definition order. */
export function stepsToSkip(definition: Graph, failedStepId: string): string[] {
  const index = new Map(definition.steps.map((step, i) => [step.id, i]));
  const dependents = dependentIndexes(definition, index);
  const start = index.get(failedStepId);
  if (start === undefined) return [];
  const seen = new Uint8Array(definition.steps.length);
  const frontier = [...(dependents[start] ?? [])];
  while (frontier.length > 0) {
    const i = frontier.pop() ?? 0;
    if (seen[i] === 1 || i === start) continue;
    seen[i] = 1;
    frontier.push(...(dependents[i] ?? []));
  }
  return definition.steps.flatMap((step, i) =>
    seen[i] === 1 ? [step.id] : [],
  );
}

function failsRun(definition: Run, states: States): boolean {
  return definition.steps.some(
    (step) =>
      step.onFailure === "fail_run" && stateOf(states, step.id) === "failed",
  );
}

/**
 * Pending steps whose needs are all satisfied (see the module comment), in
 * definition order; none once a `fail_run` step has failed. Their `if` is
 * not evaluated here. Steps missing from `states` are pending.
 */
export function readySteps(definition: Run, states: States): string[] {
  if (failsRun(definition, states)) return [];
  const policy = new Map(definition.steps.map((s) => [s.id, s.onFailure]));
  const satisfied = (id: string): boolean => {
    const state = stateOf(states, id);
    if (state === "succeeded" || state === "skipped") return true;
    return state === "failed" && policy.get(id) === "continue";
  };
  return definition.steps
    .filter(
      (step) =>
        stateOf(states, step.id) === "pending" && step.needs.every(satisfied),
    )
    .map((step) => step.id);
}

/**
 * How many more steps may start under the definition's `concurrency`.
 * Only "running" steps take a slot: one waiting for a person or a retry
 * does not hold back the rest of the run.
 */
export function freeSlots(definition: Run, states: States): number {
  if (definition.concurrency === undefined) return Number.POSITIVE_INFINITY;
  const running = definition.steps.filter(
    (step) => stateOf(states, step.id) === "running",
  ).length;
  return Math.max(0, definition.concurrency - running);
}

/**
 * "failed" once a fail_run step has failed; "succeeded" when every step is
 * finished (failures under continue or skip_dependents included); else
 * "running".
 */
export function runStatus(definition: Run, states: States): RunStatus {
  if (failsRun(definition, states)) return "failed";
  const done = definition.steps.every((step) =>
    FINISHED.has(stateOf(states, step.id)),
  );
  return done ? "succeeded" : "running";
}
