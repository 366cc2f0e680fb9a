/**
 * What the workflow commands offer and accept, as pure functions: the latest
 * version of each workflow, runs and failed steps to pick from, and run
 * inputs typed as a JSON object, checked before the call so a typo is
 * reported in the input box rather than after a round trip.
 */
import type { FunctionReturnType } from "convex/server";
import type { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { WorkflowDefinition } from "../../convex/model/workflowSpec";
import { relativeTime, truncate } from "../views/format";
import {
  isRunNode,
  isRunStepNode,
  type RunDetail,
  type WorkflowRun,
} from "../views/nodes";
import { usageText } from "../../convex/model/budgetLevels";
import { runLabel, RUN_STATUS_WORDS } from "../views/runTree";

export type WorkflowSummary = FunctionReturnType<
  typeof api.workflows.list
>[number];

/** One entry per workflow name, its newest version, by name. */
export function latestWorkflows(
  versions: readonly WorkflowSummary[],
): WorkflowSummary[] {
  const newest = new Map<string, WorkflowSummary>();
  for (const workflow of versions) {
    const seen = newest.get(workflow.name);
    if (seen === undefined || workflow.version > seen.version) {
      newest.set(workflow.name, workflow);
    }
  }
  return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function workflowPickItems(
  latest: readonly WorkflowSummary[],
  now: number,
) {
  return latest.map((workflow) => ({
    label: workflow.name,
    description: `v${workflow.version}`,
    detail: `saved ${relativeTime(workflow.createdAt, now)}`,
    workflow,
  }));
}

export function runPickItems(runs: readonly WorkflowRun[], now: number) {
  return runs.map((run) => {
    const usage = usageText(run.usedTokens, run.usedCostUsd);
    return {
      label: runLabel(run),
      description: `${RUN_STATUS_WORDS[run.status]} · started ${relativeTime(run.startedAt, now)}`,
      ...(usage === "" ? {} : { detail: usage }),
      run,
    };
  });
}

/** The run's failed steps, in written order, with their errors. */
export function failedStepPickItems(detail: Pick<RunDetail, "steps">) {
  return detail.steps
    .filter((row) => row.state === "failed")
    .map((row) => ({
      label: row.stepId,
      description: row.error === undefined ? "" : truncate(row.error, 100),
      stepId: row.stepId,
    }));
}

export type DeclaredInput = {
  readonly name: string;
  readonly required: boolean;
  readonly description?: string;
};

/** The inputs a saved definition (workflows.get's JSON) declares; required = no default. */
export function declaredInputs(definitionJson: string): DeclaredInput[] {
  const definition = JSON.parse(definitionJson) as Partial<
    Pick<WorkflowDefinition, "inputs">
  >;
  return Object.entries(definition.inputs ?? {}).map(([name, input]) => ({
    name,
    required: input.default === undefined,
    ...(input.description === undefined
      ? {}
      : { description: input.description }),
  }));
}

/** The input box's prompt: what to type and what may be left out. */
export function inputsPrompt(inputs: readonly DeclaredInput[]): string {
  const required = inputs.filter((input) => input.required);
  const optional = inputs.filter((input) => !input.required);
  const example = `{${(required.length > 0 ? required : inputs)
    .slice(0, 2)
    .map((input) => `"${input.name}": "…"`)
    .join(", ")}}`;
  const parts = [`A JSON object, e.g. ${example}.`];
  if (required.length > 0) {
    parts.push(`Required: ${required.map((i) => i.name).join(", ")}.`);
  }
  if (optional.length > 0) {
    parts.push(
      `Optional (have defaults): ${optional.map((i) => i.name).join(", ")}.`,
    );
  }
  if (required.length === 0) parts.push("Leave empty to use the defaults.");
  return parts.join(" ");
}

/** Run inputs are flat (convex/model/workflowRunAccess.ts vFlatRecord). */
export type RunInputs = Record<string, string | number | boolean | null>;

export type ParsedInputs =
  | { readonly ok: true; readonly inputs: RunInputs | undefined }
  | { readonly ok: false; readonly message: string };

function isFlatValue(
  value: unknown,
): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

/**
 * The typed inputs, or what is wrong with them. Empty means "no inputs" and
 * is fine only when nothing is required.
 */
export function parseRunInputs(
  text: string,
  declared: readonly DeclaredInput[],
): ParsedInputs {
  const required = declared.filter((input) => input.required);
  if (text.trim() === "") {
    return required.length === 0
      ? { ok: true, inputs: undefined }
      : {
          ok: false,
          message: `Required: ${required.map((i) => i.name).join(", ")}.`,
        };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Not valid JSON; e.g. {"branch": "main"}.' };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: "Give the inputs as one JSON object." };
  }
  const names = new Set(declared.map((input) => input.name));
  const inputs: RunInputs = {};
  for (const [name, input] of Object.entries(value)) {
    if (!names.has(name)) {
      const known = declared.map((i) => i.name).join(", ") || "none";
      return {
        ok: false,
        message: `Unknown input "${name}"; declared: ${known}.`,
      };
    }
    if (!isFlatValue(input)) {
      return {
        ok: false,
        message: `"${name}" must be a string, number, boolean or null.`,
      };
    }
    inputs[name] = input;
  }
  const missing = required.filter(
    (input) => !Object.hasOwn(inputs, input.name),
  );
  if (missing.length > 0) {
    return {
      ok: false,
      message: `Missing: ${missing.map((i) => i.name).join(", ")}.`,
    };
  }
  return { ok: true, inputs };
}

/** A run named by a command's argument: a Runs-view element or `{ runId }`. */
export type RunRef = { runId: Id<"workflowRuns">; run?: WorkflowRun };

export function runRefFromArg(arg: unknown): RunRef | undefined {
  if (isRunNode(arg) || isRunStepNode(arg)) {
    return { runId: arg.run._id, run: arg.run };
  }
  if (
    typeof arg === "object" &&
    arg !== null &&
    "runId" in arg &&
    typeof arg.runId === "string" &&
    arg.runId !== ""
  ) {
    return { runId: arg.runId as Id<"workflowRuns"> };
  }
  return undefined;
}

/** A step named by a command's argument: a step element or `{ runId, stepId }`. */
export type StepRef = { runId: Id<"workflowRuns">; stepId: string };

export function stepRefFromArg(arg: unknown): StepRef | undefined {
  if (isRunStepNode(arg)) return { runId: arg.run._id, stepId: arg.step.id };
  const run = runRefFromArg(arg);
  if (
    run !== undefined &&
    typeof arg === "object" &&
    arg !== null &&
    "stepId" in arg &&
    typeof arg.stepId === "string" &&
    arg.stepId !== ""
  ) {
    return { runId: run.runId, stepId: arg.stepId };
  }
  return undefined;
}
