/**
 * Workflow YAML -> WorkflowDefinition, or every problem found, each with the
 * line and column of the offending key or value. Never throws for bad input.
 *
 * Validation walks yaml's node tree (not the plain JS value) so each error
 * can point at its node; a first pass reads fields, a second checks what
 * needs the whole file: dependencies, cycles, and what conditions and
 * templates may read (run inputs, and only steps that finish before).
 */
import { isMap, LineCounter, parseDocument, type Document } from "yaml";
import { WORKFLOW_LIMITS as LIMITS } from "./workflowSpec";

import {
  Checker,
  Entry,
  MAX_ERRORS,
  ParseResult,
  TOP_FIELDS,
  WorkflowError,
  describe,
} from "./workflowYamlCheck";
import { readInputs, readSteps } from "./workflowYamlSteps";
import { checkGraph } from "./workflowYamlGraph";

export type { WorkflowError } from "./workflowYamlCheck";
export { suggest } from "./workflowYamlCheck";

function syntaxErrors(lines: LineCounter, doc: Document): WorkflowError[] {
  return [...doc.errors, ...doc.warnings].map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    return { line, column: col, path: "", message: error.message };
  });
}

function sorted(errors: readonly WorkflowError[]): WorkflowError[] {
  const seen = new Set<string>();
  const unique = errors.filter((error) => {
    const key = `${error.line}:${error.column}:${error.path}:${error.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  unique.sort((a, b) => a.line - b.line || a.column - b.column);
  if (unique.length <= MAX_ERRORS) return unique;
  const [next] = unique.slice(MAX_ERRORS);
  const more = {
    ...(next ?? unique[0]!),
    path: "",
    message: `and ${unique.length - MAX_ERRORS} more errors`,
  };
  return [...unique.slice(0, MAX_ERRORS), more];
}

/** Parses and checks a workflow definition. Never throws for bad input. */
export function parseWorkflow(text: string): ParseResult {
  if (text.length > LIMITS.sourceLength) {
    const message = `the definition is longer than ${LIMITS.sourceLength} characters`;
    return { ok: false, errors: [{ line: 1, column: 1, path: "", message }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const yamlErrors = syntaxErrors(lines, doc);
  if (yamlErrors.length > 0) return { ok: false, errors: sorted(yamlErrors) };
  const check = new Checker(text, lines, doc);
  if (doc.contents === null) {
    return {
      ok: false,
      errors: [
        { line: 1, column: 1, path: "", message: "the definition is empty" },
      ],
    };
  }
  if (!isMap(doc.contents)) {
    const message = `the definition must be a map of fields, not ${describe(doc.contents)}`;
    return { ok: false, errors: [{ line: 1, column: 1, path: "", message }] };
  }
  const entries = check.entries(doc.contents, "", TOP_FIELDS) ?? [];
  const field = (key: string): Entry | undefined =>
    entries.find((entry) => entry.key === key);
  for (const key of ["name", "steps"].filter(
    (name) => field(name) === undefined,
  )) {
    check.error(doc.contents, key, `needs "${key}"`);
  }
  const nameEntry = field("name");
  const name =
    nameEntry && check.string(nameEntry.value, "name", LIMITS.nameLength);
  const descriptionEntry = field("description");
  const description =
    descriptionEntry &&
    check.string(
      descriptionEntry.value,
      "description",
      LIMITS.descriptionLength,
    );
  const concurrencyEntry = field("concurrency");
  const concurrency =
    concurrencyEntry &&
    check.integer(concurrencyEntry.value, "concurrency", 1, LIMITS.concurrency);
  const inputsEntry = field("inputs");
  const inputs =
    inputsEntry === undefined ? {} : readInputs(check, inputsEntry.value);
  const stepsEntry = field("steps");
  const drafts =
    stepsEntry === undefined ? [] : readSteps(check, stepsEntry.value, "steps");
  checkGraph(check, drafts, inputs, stepsEntry?.value);
  const steps = drafts.flatMap((draft) =>
    draft.step === undefined ? [] : [draft.step],
  );
  if (
    check.errors.length > 0 ||
    name === undefined ||
    steps.length !== drafts.length
  ) {
    return { ok: false, errors: sorted(check.errors) };
  }
  return {
    ok: true,
    definition: {
      name,
      ...(description === undefined ? {} : { description }),
      inputs,
      ...(concurrency === undefined ? {} : { concurrency }),
      steps,
    },
  };
}

/** One line per error, in source order: "line 12, column 5: path: message". */
export function formatErrors(errors: readonly WorkflowError[]): string {
  return [...errors]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map(
      (error) =>
        `line ${error.line}, column ${error.column}: ${error.path === "" ? "" : `${error.path}: `}${error.message}`,
    )
    .join("\n");
}
