/**
 * The project's schema, read from the JSON that `schema.export()` produces
 * (convex/src/server/schema.ts: `SchemaDefinition.export()` and
 * `TableDefinition.export()`), and the index keys derived from it.
 *
 * Every table has Convex's two system indexes, `by_id` (key: _id) and
 * `by_creation_time` (key: _creationTime, _id). A user index on [a, b] is
 * stored by Convex as [a, b, _creationTime] with the document id as the
 * final tie-breaker (`_validate_user_defined_index_fields` in the backend),
 * so its key here is [a, b, _creationTime, _id]. Index definitions are
 * checked with the backend's rules and messages
 * (crates/common/src/bootstrap_model/index/index_validation_error.rs).
 */
import type { ValidatorJSON } from "convex/values";
import type { KeyValue } from "./values";

/** An index and its full key, system fields included. */
export type IndexSchema = { name: string; fields: string[] };

export type TableSchema = {
  /** Null when the table accepts anything (`v.any()`). */
  documentType: ValidatorJSON | null;
  /** `by_id`, `by_creation_time`, then the user's database indexes. */
  indexes: IndexSchema[];
  searchIndexes: string[];
  vectorIndexes: string[];
};

export type ParsedSchema = {
  schemaValidation: boolean;
  tables: Map<string, TableSchema>;
};

export const BY_ID_INDEX: IndexSchema = { name: "by_id", fields: ["_id"] };
export const BY_CREATION_TIME_INDEX: IndexSchema = {
  name: "by_creation_time",
  fields: ["_creationTime", "_id"],
};

/** 16 fields counting the `_creationTime` Convex appends (MAX_INDEX_FIELDS_SIZE). */
const MAX_INDEX_FIELDS = 16;
const RESERVED_INDEX_NAMES = new Set(["by_id", "by_creation_time"]);

/** The system indexes alone, for a table the schema does not declare. */
export function systemIndexes(): IndexSchema[] {
  return [cloneIndex(BY_ID_INDEX), cloneIndex(BY_CREATION_TIME_INDEX)];
}

/** Parses `schema.export()` (the string, or its JSON.parse). Throws on a bad schema. */
export function parseSchema(exported: unknown): ParsedSchema {
  const json: unknown =
    typeof exported === "string" ? JSON.parse(exported) : exported;
  const root = asRecord(json, "schema");
  const tables = new Map<string, TableSchema>();
  for (const entry of asArray(root.tables, "schema.tables")) {
    const table = asRecord(entry, "table");
    const tableName = asString(table.tableName, "tableName");
    if (tables.has(tableName)) {
      throw new Error(`Table "${tableName}" is defined more than once.`);
    }
    tables.set(tableName, parseTable(tableName, table));
  }
  return {
    // defineSchema's default is true; the export always carries it.
    schemaValidation: root.schemaValidation !== false,
    tables,
  };
}

function parseTable(
  tableName: string,
  table: Record<string, unknown>,
): TableSchema {
  const names = new Set<string>();
  const claimName = (name: string) => {
    if (name.startsWith("_") || RESERVED_INDEX_NAMES.has(name)) {
      throw new Error(
        `In table "${tableName}" cannot name an index "${name}" because the name is reserved. Indexes may not start with an underscore or be named "by_id" or "by_creation_time".`,
      );
    }
    if (names.has(name)) {
      throw new Error(
        `Table "${tableName}" has two or more definitions of index "${name}".`,
      );
    }
    names.add(name);
    return name;
  };
  const described = (key: string) =>
    optionalArray(table[key], `${tableName}.${key}`).map((raw) => {
      const index = asRecord(raw, `${tableName}.${key}[]`);
      return {
        index,
        name: claimName(asString(index.indexDescriptor, "indexDescriptor")),
      };
    });

  const indexes = systemIndexes();
  const seenKeys = new Map<string, string>();
  // Staged indexes cannot be queried, but their names are taken all the same.
  described("stagedDbIndexes");
  for (const { index, name } of described("indexes")) {
    const fields = asArray(index.fields, `${tableName}.${name}.fields`).map(
      (field) => asString(field, "index field"),
    );
    checkIndexFields(tableName, name, fields);
    const key = JSON.stringify(fields);
    const twin = seenKeys.get(key);
    if (twin !== undefined) {
      throw new Error(
        `In table "${tableName}" index "${twin}" and index "${name}" have the same fields. Indexes must be unique within a table.`,
      );
    }
    seenKeys.set(key, name);
    indexes.push({ name, fields: [...fields, "_creationTime", "_id"] });
  }
  const searchIndexes = described("searchIndexes").map(({ name }) => name);
  described("stagedSearchIndexes");
  const vectorIndexes = described("vectorIndexes").map(({ name }) => name);
  described("stagedVectorIndexes");

  const documentType = asRecord(
    table.documentType,
    `${tableName}.documentType`,
  );
  if (typeof documentType.type !== "string") {
    throw new Error(`Table "${tableName}" has an invalid documentType.`);
  }
  return {
    // Trusted: produced by the convex package's own validator `.json`.
    documentType:
      documentType.type === "any" ? null : (documentType as ValidatorJSON),
    indexes,
    searchIndexes,
    vectorIndexes,
  };
}

function checkIndexFields(
  tableName: string,
  name: string,
  fields: string[],
): void {
  const fail = (message: string): never => {
    throw new Error(`In table "${tableName}" index "${name}": ${message}`);
  };
  if (fields.length === 0) {
    throw new Error(
      `In table "${tableName}" index "${name}" must have at least one field.`,
    );
  }
  const seen = new Set<string>();
  for (const field of fields) {
    if (field === "_id") {
      fail(
        "`_id` is not a valid index field. To load documents by ID, use `db.get(id)`.",
      );
    }
    if (field === "_creationTime") {
      fail(
        "`_creationTime` is automatically added to the end of each index. It should not be added explicitly in the index definition. See https://docs.convex.dev/using/indexes for more details.",
      );
    }
    const parts = field.split(".");
    if (parts.some((part) => part === "")) {
      fail(`Invalid index field: "${field}"`);
    }
    if (parts.some((part) => part.startsWith("_"))) {
      fail("Reserved fields (starting with `_`) are not allowed in indexes.");
    }
    if (seen.has(field)) {
      fail(
        `Duplicate field ${field}. Index fields must be unique within an index.`,
      );
    }
    seen.add(field);
  }
  if (fields.length + 1 > MAX_INDEX_FIELDS) {
    fail(`Indexes may have up to ${MAX_INDEX_FIELDS} fields.`);
  }
}

const splitPaths = new Map<string, string[]>();

/**
 * The value at a dotted field path ("lease.expiresAt"), or undefined when a
 * field on the way is missing or not an object. Arrays are not entered, as
 * in Convex (`ConvexObject::get_path`).
 */
export function getFieldPath(
  doc: { readonly [field: string]: KeyValue },
  path: string,
): KeyValue {
  let parts = splitPaths.get(path);
  if (parts === undefined) {
    parts = path.split(".");
    splitPaths.set(path, parts);
  }
  let current: KeyValue = doc;
  for (const part of parts) {
    if (!isObjectValue(current)) return undefined;
    current = Object.hasOwn(current, part) ? current[part] : undefined;
  }
  return current;
}

/** A document's key in an index: one entry per field, undefined if missing. */
export function indexKey(
  doc: { readonly [field: string]: KeyValue },
  fields: readonly string[],
): KeyValue[] {
  return fields.map((field) => getFieldPath(doc, field));
}

function isObjectValue(
  value: KeyValue,
): value is { readonly [field: string]: KeyValue } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function cloneIndex(index: IndexSchema): IndexSchema {
  return { name: index.name, fields: [...index.fields] };
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`Invalid schema export: ${what} is not an object.`);
  }
  return value as Record<string, unknown>;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`Invalid schema export: ${what} is not an array.`);
  }
  return value as unknown[];
}

function optionalArray(value: unknown, what: string): unknown[] {
  return value === undefined ? [] : asArray(value, what);
}

function asString(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new Error(`Invalid schema export: ${what} is not a string.`);
  }
  return value;
}
