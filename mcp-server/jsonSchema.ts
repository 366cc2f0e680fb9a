/**
 * Convex argument validators (their JSON export, `ValidatorJSON`) as JSON
 * Schema: how a tool's input schema is derived from the function it calls, so
 * it is never written twice. Unions of literals become one `enum` (smaller,
 * and what models handle best); identical union branches (two id types) are
 * merged; objects are closed (`additionalProperties: false`), as Convex's own
 * validators refuse unknown fields.
 */
import type { ObjectFieldType, ValidatorJSON } from "convex/values";

export type JsonSchema = { [keyword: string]: unknown };

/** The JSON form of an `args` object validator (what `exportArgs()` returns). */
export type ArgsValidatorJSON = Extract<ValidatorJSON, { type: "object" }>;

export function toJsonSchema(validator: ValidatorJSON): JsonSchema {
  switch (validator.type) {
    case "null":
      return { type: "null" };
    case "number":
      return { type: "number" };
    case "bigint":
      return { type: "integer" };
    case "boolean":
      return { type: "boolean" };
    case "string":
      return { type: "string" };
    case "bytes":
      return { type: "string", contentEncoding: "base64" };
    case "any":
      return {};
    case "id":
      return { type: "string" };
    case "commitTs":
      return { type: "number" };
    case "literal":
      return { type: literalType(validator.value), const: validator.value };
    case "array":
      return { type: "array", items: toJsonSchema(validator.value) };
    case "record":
      return {
        type: "object",
        additionalProperties: toJsonSchema(validator.values.fieldType),
      };
    case "object":
      return objectSchema(validator.value);
    case "union":
      return unionSchema(validator.value);
  }
}

/** A tool's inputSchema: the args object, with optional hints per field. */
export function argsToInputSchema(
  args: ArgsValidatorJSON,
  hints: Readonly<Record<string, string>> = {},
): JsonSchema {
  const schema = objectSchema(args.value);
  const properties = schema.properties as Record<string, JsonSchema>;
  for (const [field, hint] of Object.entries(hints)) {
    const property = properties[field];
    if (property === undefined) {
      throw new Error(`A hint names "${field}", which is not an argument.`);
    }
    properties[field] = { ...property, description: hint };
  }
  return schema;
}

function objectSchema(fields: Record<string, ObjectFieldType>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    properties[name] = toJsonSchema(field.fieldType);
    if (!field.optional) required.push(name);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function unionSchema(members: ValidatorJSON[]): JsonSchema {
  const literals = members.filter(
    (member): member is Extract<ValidatorJSON, { type: "literal" }> =>
      member.type === "literal",
  );
  const others = members.filter((member) => member.type !== "literal");
  const branches: JsonSchema[] = [];
  const types = new Set(literals.map((member) => literalType(member.value)));
  if (literals.length > 0) {
    const values = literals.map((member) => member.value);
    branches.push(
      types.size === 1
        ? { type: [...types][0], enum: values }
        : { enum: values },
    );
  }
  const seen = new Set<string>();
  for (const member of others) {
    const schema = toJsonSchema(member);
    const key = JSON.stringify(schema);
    if (!seen.has(key)) {
      seen.add(key);
      branches.push(schema);
    }
  }
  return branches.length === 1 ? branches[0]! : { anyOf: branches };
}

function literalType(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "number";
  return "null";
}
