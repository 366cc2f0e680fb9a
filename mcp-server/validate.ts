/**
 * Checks tool arguments against the Convex validators they will meet on the
 * backend, here and first, so a model hears which field is wrong and why in
 * plain words (and no round trip is spent on it). The backend validates again;
 * this is a courtesy, not the guard. Ids are only checked to be strings: which
 * table an id belongs to is the backend's to say.
 */
import type { ValidatorJSON } from "convex/values";
import { InvalidInputError } from "./errors";
import type { ArgsValidatorJSON } from "./jsonSchema";

/**
 * Returns the arguments as the function should get them: optional fields sent
 * as `null` (models often say "unset" that way) are dropped when the field's
 * validator does not take null. Throws InvalidInputError naming the field.
 */
export function checkArgs(
  validator: ArgsValidatorJSON,
  input: unknown,
): Record<string, unknown> {
  const args = input ?? {};
  if (typeof args !== "object" || Array.isArray(args)) {
    throw new InvalidInputError("The arguments must be a JSON object.");
  }
  const cleaned: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) {
    const field = validator.value[name];
    if (
      field?.optional === true &&
      value === null &&
      !accepts(field.fieldType, null)
    ) {
      continue;
    }
    cleaned[name] = value;
  }
  const problem = check(validator, cleaned, "");
  if (problem !== null) throw new InvalidInputError(problem);
  return cleaned;
}

function accepts(validator: ValidatorJSON, value: unknown): boolean {
  return check(validator, value, "") === null;
}

/** The first problem found, as "field: what is wrong", or null. */
function check(
  validator: ValidatorJSON,
  value: unknown,
  path: string,
): string | null {
  const at = path === "" ? "The input" : `\`${path}\``;
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return value === null ? null : `${at} must be null.`;
    case "string":
    case "id":
    case "bytes":
      return typeof value === "string" ? null : `${at} must be a string.`;
    case "number":
    case "bigint":
    case "commitTs":
      return typeof value === "number" && Number.isFinite(value)
        ? null
        : `${at} must be a number.`;
    case "boolean":
      return typeof value === "boolean" ? null : `${at} must be true or false.`;
    case "literal":
      return value === validator.value
        ? null
        : `${at} must be ${JSON.stringify(validator.value)}.`;
    case "array":
      if (!Array.isArray(value)) return `${at} must be an array.`;
      for (const [index, item] of value.entries()) {
        const problem = check(validator.value, item, `${path}[${index}]`);
        if (problem !== null) return problem;
      }
      return null;
    case "record":
      if (!isPlainObject(value)) return `${at} must be an object.`;
      for (const [key, item] of Object.entries(value)) {
        const problem = check(
          validator.values.fieldType,
          item,
          join(path, key),
        );
        if (problem !== null) return problem;
      }
      return null;
    case "object":
      return checkObject(validator, value, path, at);
    case "union":
      return validator.value.some((member) => accepts(member, value))
        ? null
        : `${at} must be ${describe(validator)} (got ${JSON.stringify(value)}).`;
  }
}

function checkObject(
  validator: Extract<ValidatorJSON, { type: "object" }>,
  value: unknown,
  path: string,
  at: string,
): string | null {
  if (!isPlainObject(value)) return `${at} must be an object.`;
  const known = Object.keys(validator.value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      return `Unknown field \`${join(path, key)}\`; the fields are: ${known.join(", ")}.`;
    }
  }
  for (const [key, field] of Object.entries(validator.value)) {
    const item = value[key];
    if (item === undefined) {
      if (!field.optional) return `\`${join(path, key)}\` is required.`;
      continue;
    }
    const problem = check(field.fieldType, item, join(path, key));
    if (problem !== null) return problem;
  }
  return null;
}

/** "one of "todo", "done"" for literal unions, else the member kinds. */
function describe(validator: ValidatorJSON): string {
  if (validator.type === "literal") return JSON.stringify(validator.value);
  if (validator.type === "union") {
    const parts = [...new Set(validator.value.map(describe))];
    return parts.length === 1 ? parts[0]! : `one of ${parts.join(", ")}`;
  }
  if (validator.type === "id") return "an id";
  return `a ${validator.type}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
