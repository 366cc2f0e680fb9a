/**
 * Checks values against validators in their exported JSON form
 * (`ValidatorJSON`: what `v.*().json`, `exportArgs()` and `schema.export()`
 * produce), with Convex's error messages.
 *
 * Semantics and messages follow `Validator::check_value` and
 * `ValidationError` in `crates/common/src/schemas/validator.rs`
 * (get-convex/convex-backend):
 * - object fields are checked in sorted order, then extra fields;
 * - a union tries each member and reports the whole union if none matches
 *   (a one-member union reports its member's error);
 * - paths read `.field`, `[3]`, and `.keys()` / `.values()` inside records;
 * - an `undefined` field counts as absent, since Convex never stores one.
 * The engine adds the outer wording (see `validateArgs`,
 * `documentSchemaError`).
 */
import {
  CommitTsPlaceholder,
  jsonToConvex,
  type JSONValue,
  type ObjectFieldType,
  type ValidatorJSON,
  type Value,
} from "convex/values";
import {
  compareValues,
  formatFloat,
  formatValue,
  isArrayBuffer,
  type KeyValue,
} from "./values";

/** What only the engine knows: which table an id belongs to. */
export interface IdContext {
  isIdOfTable(id: string, tableName: string): boolean;
  /** The table of a decodable id, for a more precise message; optional. */
  tableNameOfId?(id: string): string | null;
}

type PlainObject = { [key: string]: Value | undefined };

/** Null if `value` matches, else Convex's message for the first mismatch. */
export function validateValue(
  validator: ValidatorJSON,
  value: KeyValue,
  ctx: IdContext,
): string | null {
  return check(validator, value, ctx, "");
}

/**
 * Function arguments: the args validator is `v.object(...)` (or `v.any()`
 * when the function declares none) applied to the single args object.
 */
export function validateArgs(
  argsValidator: ValidatorJSON,
  args: KeyValue,
  ctx: IdContext,
): string | null {
  if (!isPlainObject(args)) {
    return `ArgumentValidationError: The arguments to a Convex function must be an object. Received: ${formatValue(args)}`;
  }
  const error = check(argsValidator, args, ctx, "");
  return error === null ? null : `ArgumentValidationError: ${error}`;
}

export function isPlainObject(value: KeyValue): value is PlainObject {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value) || isArrayBuffer(value)) return false;
  if (value instanceof CommitTsPlaceholder) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function check(
  validator: ValidatorJSON,
  value: KeyValue,
  ctx: IdContext,
  path: string,
): string | null {
  const noMatch = () =>
    `Value does not match validator.\n${pathLine(path)}\nValue: ${formatValue(value)}\nValidator: ${formatValidator(validator)}`;
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return value === null ? null : noMatch();
    case "number":
      return typeof value === "number" ? null : noMatch();
    case "bigint":
      return typeof value === "bigint" ? null : noMatch();
    case "commitTs":
      return typeof value === "bigint" || value instanceof CommitTsPlaceholder
        ? null
        : noMatch();
    case "boolean":
      return typeof value === "boolean" ? null : noMatch();
    case "string":
      return typeof value === "string" ? null : noMatch();
    case "bytes":
      return isArrayBuffer(value) ? null : noMatch();
    case "literal":
      return compareValues(value, literalValue(validator.value)) === 0
        ? null
        : `\`${formatValue(value)}\` does not match literal validator \`${formatValidator(validator)}\`.${pathLine(path)}`;
    case "id":
      return checkId(validator.tableName, value, ctx, path, noMatch);
    case "array": {
      if (!Array.isArray(value)) return noMatch();
      for (let i = 0; i < value.length; i++) {
        const error = check(validator.value, value[i], ctx, `${path}[${i}]`);
        if (error !== null) return error;
      }
      return null;
    }
    case "record": {
      if (!isPlainObject(value)) return noMatch();
      for (const key of Object.keys(value).sort()) {
        const field = value[key];
        if (field === undefined) continue;
        const error =
          check(validator.keys, key, ctx, `${path}.keys()`) ??
          check(validator.values.fieldType, field, ctx, `${path}.values()`);
        if (error !== null) return error;
      }
      return null;
    }
    case "object":
      return isPlainObject(value)
        ? checkObject(validator, value, ctx, path)
        : noMatch();
    case "union": {
      const [only] = validator.value;
      if (validator.value.length === 1 && only !== undefined) {
        return check(only, value, ctx, path);
      }
      const matches = validator.value.some(
        (member) => check(member, value, ctx, path) === null,
      );
      return matches ? null : noMatch();
    }
  }
}

function checkId(
  tableName: string,
  value: KeyValue,
  ctx: IdContext,
  path: string,
  noMatch: () => string,
): string | null {
  if (typeof value !== "string") return noMatch();
  if (ctx.isIdOfTable(value, tableName)) return null;
  const found = ctx.tableNameOfId?.(value) ?? null;
  if (found === null) return noMatch();
  const where = found.startsWith("_")
    ? "from a system table"
    : `from table \`${found}\``;
  return `Found ID "${value}" ${where}, which does not match the table name in validator \`v.id("${tableName}")\`.${pathLine(path)}`;
}

function checkObject(
  validator: { type: "object"; value: Record<string, ObjectFieldType> },
  object: PlainObject,
  ctx: IdContext,
  path: string,
): string | null {
  const fields = validator.value;
  const details = () =>
    `${pathLine(path)}\nObject: ${formatValue(object)}\nValidator: ${formatValidator(validator)}`;
  for (const name of Object.keys(fields).sort()) {
    const field = fields[name];
    if (field === undefined) continue;
    const value = object[name];
    if (value === undefined) {
      if (field.optional) continue;
      return `Object is missing the required field \`${name}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n${details()}`;
    }
    const error = check(field.fieldType, value, ctx, `${path}.${name}`);
    if (error !== null) return error;
  }
  for (const name of Object.keys(object).sort()) {
    if (object[name] !== undefined && !Object.hasOwn(fields, name)) {
      return `Object contains extra field \`${name}\` that is not in the validator.\n${details()}`;
    }
  }
  return null;
}

function pathLine(path: string): string {
  return path === "" ? "" : `Path: ${path}`;
}

function literalValue(json: JSONValue): Value {
  // Literals are exported with convexToJson: bigints as {"$integer": ...},
  // NaN/-0/Infinity as {"$float": ...}.
  return jsonToConvex(json);
}

/** A validator as Convex prints it: `v.object({a: v.optional(v.string())})`. */
export function formatValidator(validator: ValidatorJSON): string {
  switch (validator.type) {
    case "any":
    case "null":
    case "boolean":
    case "string":
    case "bytes":
    case "commitTs":
      return `v.${validator.type}()`;
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "literal":
      return `v.literal(${formatLiteral(literalValue(validator.value))})`;
    case "id":
      return `v.id(${JSON.stringify(validator.tableName)})`;
    case "array":
      return `v.array(${formatValidator(validator.value)})`;
    case "record":
      return `v.record(${formatValidator(validator.keys)}, ${formatValidator(validator.values.fieldType)})`;
    case "object": {
      const fields = Object.keys(validator.value)
        .sort()
        .map((name) => {
          const field = validator.value[name];
          if (field === undefined) return name;
          const inner = formatValidator(field.fieldType);
          return `${name}: ${field.optional ? `v.optional(${inner})` : inner}`;
        });
      return `v.object({${fields.join(", ")}})`;
    }
    case "union":
      return `v.union(${validator.value.map(formatValidator).join(", ")})`;
  }
}

/** As Convex prints literals: JSON where it can, `<bigint>`/`<number>` else. */
function formatLiteral(value: Value): string {
  if (typeof value === "bigint") return "<bigint>";
  if (typeof value === "number") {
    return Number.isFinite(value) ? formatFloat(value) : "<number>";
  }
  return JSON.stringify(value) ?? formatValue(value);
}

/**
 * Convex's storage limits. Documents: 1 MiB (`MAX_USER_SIZE`), nesting 16
 * (`MAX_DOCUMENT_NESTING`; docs.convex.dev/production/state/limits: "Field
 * nesting depth 16"). Every value: nesting 64 (`MAX_NESTING` in
 * crates/value/src/size.rs), 8192 array elements (array.rs), 1024 fields
 * (object.rs), field names of at most 1024 characters (value.ts).
 */
export const LIMITS = {
  maxDocumentSize: 1 << 20,
  maxDocumentNesting: 16,
  maxValueNesting: 64,
  maxArrayLength: 8192,
  maxObjectFields: 1024,
  maxFieldNameLength: 1024,
} as const;

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
const SYSTEM_FIELDS = new Set(["_id", "_creationTime"]);
const UNPAIRED_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Null if `value` is one Convex can carry at all (arguments, return values,
 * documents), else why not: bad field names, int64 range, unpaired
 * surrogates, array length, field count, nesting beyond 64.
 */
export function checkValue(value: KeyValue): string | null {
  const result = walk(value, false, false);
  return typeof result === "string" ? result : null;
}

/**
 * Null if `doc` (system fields included, if set) can be stored: the value
 * limits, no `_`-prefixed field other than the top-level `_id` and
 * `_creationTime` (crates/common/src/document.rs), nesting of at most 16 and
 * a size of at most 1 MiB.
 */
export function checkDocument(doc: PlainObject): string | null {
  const id = doc._id;
  if (id !== undefined && typeof id !== "string") {
    return `The '_id' field ${formatValue(id)} must be an Id`;
  }
  const creationTime = doc._creationTime;
  if (creationTime !== undefined && typeof creationTime !== "number") {
    return `The '_creationTime' field should be a float, is ${formatValue(creationTime)}`;
  }
  const nesting = walk(doc, true, true);
  if (typeof nesting === "string") return nesting;
  if (nesting > LIMITS.maxDocumentNesting) {
    return `Document is too nested (nested ${nesting} levels deep > maximum nesting ${LIMITS.maxDocumentNesting})`;
  }
  const size = valueSize(doc);
  if (size > LIMITS.maxDocumentSize) {
    return `Value is too large (${formatBytes(size)} > maximum size ${formatBytes(LIMITS.maxDocumentSize)})`;
  }
  return null;
}

/**
 * A document against its table's `documentType` (null: no schema, or
 * `v.any()`), after `checkDocument`. The system fields `_id` and
 * `_creationTime` are allowed on top of the table's validator.
 */
export function validateDocument(
  documentType: ValidatorJSON | null,
  doc: PlainObject,
  ctx: IdContext,
): string | null {
  const limits = checkDocument(doc);
  if (limits !== null || documentType === null) return limits;
  const userFields: PlainObject = {};
  for (const key of Object.keys(doc)) {
    if (!SYSTEM_FIELDS.has(key)) userFields[key] = doc[key];
  }
  return check(documentType, userFields, ctx, "");
}

/** Convex's wording around a document's validation error. */
export function documentSchemaError(tableName: string, error: string): string {
  return `Failed to insert or update a document in table "${tableName}" because it does not match the schema: ${error}`;
}

/**
 * Bytes as Convex counts them toward limits and bandwidth (Size in
 * crates/value; getConvexSize in convex/src/values/size.ts): 1 for null and
 * booleans, 9 for numbers, 2 + UTF-8 length for strings, 2 + length for
 * bytes, 2 + elements for arrays, 2 + (name + 1 + value) per object field.
 */
export function valueSize(value: KeyValue): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 9;
  if (typeof value === "string") return 2 + Buffer.byteLength(value, "utf8");
  if (value instanceof CommitTsPlaceholder) return 9;
  if (isArrayBuffer(value)) return 2 + value.byteLength;
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) size += valueSize(item);
    return size;
  }
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) {
      size += Buffer.byteLength(key, "utf8") + 1 + valueSize(field);
    }
  }
  return size;
}

/** The nesting of a valid value (containers count 1 each), else an error. */
function walk(
  value: KeyValue,
  inDocument: boolean,
  topLevel: boolean,
): number | string {
  if (typeof value === "bigint") {
    return value < MIN_INT64 || value > MAX_INT64
      ? `BigInt ${value.toString()} does not fit into a 64-bit signed integer.`
      : 0;
  }
  if (typeof value === "string") {
    return UNPAIRED_SURROGATE.test(value)
      ? `String ${JSON.stringify(value.slice(0, 100))} is not valid Unicode: strings must not contain unpaired surrogates.`
      : 0;
  }
  if (
    value === undefined ||
    value === null ||
    typeof value === "number" ||
    typeof value === "boolean" ||
    isArrayBuffer(value) ||
    value instanceof CommitTsPlaceholder
  ) {
    return 0;
  }
  let deepest = 0;
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxArrayLength) {
      return `Array length is too long (${value.length} > maximum length ${LIMITS.maxArrayLength})`;
    }
    for (const item of value) {
      const inner = walk(item, inDocument, false);
      if (typeof inner === "string") return inner;
      deepest = Math.max(deepest, inner);
    }
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    if (keys.length > LIMITS.maxObjectFields) {
      return `Object has too many fields (${keys.length} > maximum number ${LIMITS.maxObjectFields})`;
    }
    for (const key of keys) {
      const error =
        fieldNameError(key) ??
        (inDocument ? underscoreError(key, topLevel) : null);
      if (error !== null) return error;
      const inner = walk(value[key], inDocument, false);
      if (typeof inner === "string") return inner;
      deepest = Math.max(deepest, inner);
    }
  } else {
    return `${describeUnsupported(value)} is not a supported Convex type.`;
  }
  const nesting = deepest + 1;
  return nesting > LIMITS.maxValueNesting
    ? `Value is too nested (nested ${nesting} levels deep > maximum nesting ${LIMITS.maxValueNesting})`
    : nesting;
}

/** The rules of `validateObjectField` in convex/src/values/value.ts. */
function fieldNameError(name: string): string | null {
  if (name.length > LIMITS.maxFieldNameLength) {
    return `Field name ${name} exceeds maximum field name length ${LIMITS.maxFieldNameLength}.`;
  }
  if (name.startsWith("$")) {
    return `Field name ${name} starts with a '$', which is reserved.`;
  }
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code < 32 || code >= 127) {
      return `Field name ${name} has invalid character '${char}': Field names can only contain non-control ASCII characters`;
    }
  }
  return null;
}

function underscoreError(name: string, topLevel: boolean): string | null {
  if (!name.startsWith("_")) return null;
  if (!topLevel) {
    return `Field '${name}' starts with an underscore, which is not allowed for nested fields`;
  }
  return SYSTEM_FIELDS.has(name)
    ? null
    : `Field '${name}' starts with an underscore, which is only allowed for system fields like '_id'`;
}

function describeUnsupported(value: unknown): string {
  if (typeof value !== "object" || value === null) return typeof value;
  const prototype: unknown = Object.getPrototypeOf(value);
  const name: unknown =
    typeof prototype === "object" && prototype !== null
      ? (prototype as { constructor?: { name?: unknown } }).constructor?.name
      : undefined;
  return typeof name === "string" ? name : "object";
}

/** Like Rust's humansize with BINARY units: "1 MiB", "1.5 KiB", "12 B". */
function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let amount = bytes;
  let unit = 0;
  while (amount >= 1024 && unit < units.length - 1) {
    amount /= 1024;
    unit++;
  }
  const text = amount.toFixed(2).replace(/\.?0+$/, "");
  return `${text} ${units[unit]}`;
}
