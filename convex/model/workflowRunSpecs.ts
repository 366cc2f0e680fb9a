/**
 * Step specs: a saved definition cut into one row per step, holding what the
 * interpreter needs about that step (its definition, its position, the steps
 * that need it, the steps its `if` and templates read). A transaction of a
 * run reads the specs of the steps it touches, so its cost does not grow
 * with the size of the definition: a 1,000-step definition is ~0.3 MB of
 * JSON, which every completion and advance used to read and parse.
 *
 * Specs are written at a workflow's first run (older workflows have none
 * until then); readers fall back to the definition itself when a spec is
 * missing, parsing it at most once per transaction.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import {
  expressionReferences,
  parseExpression,
  templateReferences,
  type PathExpr,
} from "./workflowExpr";
import type { StepDefinition, WorkflowDefinition } from "./workflowSpec";

export type StepSpec = {
  order: number;
  step: StepDefinition;
  /** Steps that need this one, in definition order. */
  dependents: string[];
  /** Steps whose status or output the `if` and templates read. */
  reads: "all" | string[];
};

/** The steps a step's `if` and templates read ("all" for a bare `steps`). */
function readsOf(step: StepDefinition, ids: ReadonlySet<string>) {
  const paths: PathExpr[] = [...templateReferences(step.with)];
  paths.push(
    ...templateReferences(
      step.executor === "approval" ? step.summary : step.prompt,
    ),
  );
  if (step.condition !== undefined) {
    const parsed = parseExpression(step.condition);
    if (parsed.ok) paths.push(...expressionReferences(parsed.expr));
  }
  const reads = new Set<string>();
  for (const { segments } of paths) {
    if (segments[0] !== "steps") continue;
    const id = segments[1];
    if (id === undefined) return "all";
    if (ids.has(id)) reads.add(id);
  }
  return [...reads];
}

/** Every step's spec, by step id, in definition order. */
export function buildSpecs(
  definition: WorkflowDefinition,
): Map<string, StepSpec> {
  const ids = new Set(definition.steps.map((step) => step.id));
  const specs = new Map<string, StepSpec>();
  definition.steps.forEach((step, order) => {
    specs.set(step.id, {
      order,
      step,
      dependents: [],
      reads: readsOf(step, ids),
    });
  });
  for (const step of definition.steps) {
    for (const need of needsOf(step, ids)) {
      specs.get(need)?.dependents.push(step.id);
    }
  }
  return specs;
}

/**
 * The needs that count: distinct, known and not the step itself, as in
 * workflowDag.ts (validated definitions have no others).
 */
export function needsOf(
  step: StepDefinition,
  ids: { has(id: string): boolean },
): string[] {
  return [...new Set(step.needs)].filter((id) => id !== step.id && ids.has(id));
}

export function parseDefinition(
  workflow: Doc<"workflows">,
): WorkflowDefinition {
  return JSON.parse(workflow.definition) as WorkflowDefinition;
}

/**
 * The workflow's specs, written unless an earlier run already did (a start
 * that finds none races another only through Convex's own conflict check).
 */
export async function ensureStepSpecs(
  ctx: MutationCtx,
  workflow: Doc<"workflows">,
  definition: WorkflowDefinition,
): Promise<Map<string, StepSpec>> {
  const specs = buildSpecs(definition);
  const existing = await ctx.db
    .query("workflowStepSpecs")
    .withIndex("by_workflowId_stepId", (q) => q.eq("workflowId", workflow._id))
    .first();
  if (existing !== null) return specs;
  for (const [stepId, spec] of specs) {
    await ctx.db.insert("workflowStepSpecs", {
      workflowId: workflow._id,
      stepId,
      order: spec.order,
      step: JSON.stringify(spec.step),
      dependents: spec.dependents,
      reads: spec.reads,
    });
  }
  return specs;
}

/** Specs read in one transaction, each read (and parsed) once. */
export type SpecReader = {
  workflowId: Id<"workflows">;
  byId: Map<string, StepSpec | null>;
  /** Built from the definition when a spec row was missing. */
  fallback?: Map<string, StepSpec>;
};

export function specReader(workflowId: Id<"workflows">): SpecReader {
  return { workflowId, byId: new Map() };
}

/** A step's spec; null when the definition has no such step. */
export async function readSpec(
  ctx: QueryCtx,
  reader: SpecReader,
  stepId: string,
): Promise<StepSpec | null> {
  const cached = reader.byId.get(stepId);
  if (cached !== undefined) return cached;
  const row = await ctx.db
    .query("workflowStepSpecs")
    .withIndex("by_workflowId_stepId", (q) =>
      q.eq("workflowId", reader.workflowId).eq("stepId", stepId),
    )
    .unique();
  const spec =
    row === null
      ? await fromDefinition(ctx, reader, stepId)
      : {
          order: row.order,
          step: JSON.parse(row.step) as StepDefinition,
          dependents: row.dependents,
          reads: row.reads,
        };
  reader.byId.set(stepId, spec);
  return spec;
}

async function fromDefinition(
  ctx: QueryCtx,
  reader: SpecReader,
  stepId: string,
): Promise<StepSpec | null> {
  if (reader.fallback === undefined) {
    const workflow = await ctx.db.get("workflows", reader.workflowId);
    reader.fallback =
      workflow === null ? new Map() : buildSpecs(parseDefinition(workflow));
  }
  return reader.fallback.get(stepId) ?? null;
}
