/**
 * Whole-file checks of a workflow: dependencies, cycles, and what
 * conditions and templates may read (run inputs, and only steps that finish
 * before).
 */
import { dependsOnTest, findCycles, type StepLinks } from "./workflowDag";
import {
  expressionReferences,
  parseExpression,
  parseTemplate,
  type ExprError,
  type PathExpr,
} from "./workflowExpr";
import {
  WORKFLOW_LIMITS as LIMITS,
  type InputDefinition,
} from "./workflowSpec";

import {
  Checker,
  STEP_PARTS,
  StepDraft,
  TemplateSite,
  suggest,
} from "./workflowYamlCheck";

export type Scope = {
  draft: StepDraft;
  ids: ReadonlySet<string>;
  inputs: Record<string, InputDefinition>;
  /** Null when the graph has a cycle (already reported). */
  dependsOn: ((stepId: string, dependencyId: string) => boolean) | null;
};

/** Checks one path an expression reads against what the step may see. */
export function checkPath(
  check: Checker,
  scope: Scope,
  site: TemplateSite,
  ref: PathExpr,
): void {
  const [root = "", name, part, ...rest] = ref.segments;
  const report = (message: string): void =>
    check.errorInString(site, ref.start, message);
  if (root === "inputs") {
    if (name === undefined)
      return report('"inputs" needs an input name, e.g. inputs.topic');
    if (!Object.hasOwn(scope.inputs, name)) {
      return report(
        `unknown input "${name}"${suggest(name, Object.keys(scope.inputs))}`,
      );
    }
    return;
  }
  if (root !== "steps") {
    return report(
      `unknown name "${root}"${suggest(root, ["inputs", "steps"])}: expressions read inputs.<name> and steps.<id>.status, .output or .error`,
    );
  }
  if (name === undefined)
    return report('"steps" needs a step id, e.g. steps.build.status');
  if (!scope.ids.has(name))
    return report(`unknown step "${name}"${suggest(name, scope.ids)}`);
  if (name === scope.draft.id)
    return report("a step cannot read its own status or output");
  if (part === undefined || !STEP_PARTS.includes(part)) {
    return report(
      `steps.${name} has status, output and error, not ${part === undefined ? "nothing" : `"${part}"`}`,
    );
  }
  if (part !== "output" && rest.length > 0)
    return report(`steps.${name}.${part} has no fields`);
  if (scope.dependsOn !== null && !scope.dependsOn(scope.draft.id, name)) {
    report(
      `step "${name}" may not have finished: add it to needs (directly or through another step)`,
    );
  }
}

/** The paths a condition or template reads, or its syntax error. */
export function pathsOf(
  site: TemplateSite,
  kind: "condition" | "template",
): PathExpr[] | ExprError {
  if (kind === "condition") {
    const parsed = parseExpression(site.value);
    return parsed.ok ? expressionReferences(parsed.expr) : parsed.error;
  }
  const parsed = parseTemplate(site.value);
  if (!parsed.ok) return parsed.error;
  return parsed.parts.flatMap((part) =>
    part.kind === "expr" ? expressionReferences(part.expr) : [],
  );
}

export function checkExpressions(check: Checker, scope: Scope): void {
  const { condition, templates } = scope.draft;
  const sites = [
    ...(condition === undefined
      ? []
      : [{ site: condition, kind: "condition" as const }]),
    ...templates
      .filter((site) => site.value.includes("{{"))
      .map((site) => ({ site, kind: "template" as const })),
  ];
  for (const { site, kind } of sites) {
    const paths = pathsOf(site, kind);
    if (!Array.isArray(paths)) {
      const message = `invalid ${kind}: ${paths.message}`;
      check.errorInString(site, paths.offset, message);
      continue;
    }
    for (const ref of paths) checkPath(check, scope, site, ref);
  }
}

/** What needs every step: dependencies, cycles, then what expressions read. */
export function checkGraph(
  check: Checker,
  drafts: StepDraft[],
  inputs: Record<string, InputDefinition>,
  stepsNode: unknown,
): void {
  const ids = new Set(drafts.map((draft) => draft.id));
  let total = 0;
  const links: StepLinks[] = drafts.map((draft) => {
    const needs: string[] = [];
    for (const need of draft.needs) {
      if (need.id === draft.id)
        check.error(need.node, need.path, "a step cannot need itself");
      else if (!ids.has(need.id))
        check.error(
          need.node,
          need.path,
          `unknown step "${need.id}"${suggest(need.id, ids)}`,
        );
      else needs.push(need.id);
    }
    total += needs.length;
    return { id: draft.id, needs };
  });
  if (total > LIMITS.dependencies) {
    check.error(
      stepsNode,
      "steps",
      `at most ${LIMITS.dependencies} dependencies in all, not ${total}`,
    );
  }
  const cycles = findCycles({ steps: links });
  for (const cycle of cycles) {
    const draft = drafts.find((candidate) => candidate.id === cycle[0]);
    const need = draft?.needs.find((candidate) => candidate.id === cycle[1]);
    check.error(
      need?.node,
      need?.path ?? draft?.path ?? "steps",
      `dependency cycle: ${cycle.join(" -> ")} (each step needs the next)`,
      draft?.keyNode,
    );
  }
  const dependsOn =
    cycles.length === 0 ? dependsOnTest({ steps: links }) : null;
  for (const draft of drafts)
    checkExpressions(check, { draft, ids, inputs, dependsOn });
}
