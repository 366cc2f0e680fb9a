import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { describe, expect, test } from "vitest";
import {
  BY_CREATION_TIME_INDEX,
  BY_ID_INDEX,
  getFieldPath,
  indexKey,
  parseSchema,
  systemIndexes,
  type ParsedSchema,
} from "../../../local-backend/engine/schema";
import { compareIndexKeys } from "../../../local-backend/engine/values";
import schema from "../../../convex/schema";

/** `export()` is marked internal in convex's typings; the CLI calls it on push. */
const exportOf = (definition: unknown): string =>
  (definition as { export(): string }).export();

const parsed = parseSchema(exportOf(schema));

function tableOf(result: ParsedSchema, name: string) {
  const table = result.tables.get(name);
  if (table === undefined) throw new Error(`no table ${name}`);
  return table;
}

function indexOf(result: ParsedSchema, table: string, name: string) {
  return tableOf(result, table).indexes.find((index) => index.name === name);
}

describe("parseSchema on this project's convex/schema.ts", () => {
  test("reads every table and keeps schema validation on", () => {
    expect(parsed.schemaValidation).toBe(true);
    for (const name of [
      "users",
      "tasks",
      "taskDependencies",
      "threads",
      "messages",
      "approvals",
    ]) {
      expect(parsed.tables.has(name), name).toBe(true);
    }
  });

  test("user indexes end with _creationTime then _id", () => {
    expect(
      indexOf(parsed, "tasks", "by_projectId_status_openBlockers_priorityRank"),
    ).toEqual({
      name: "by_projectId_status_openBlockers_priorityRank",
      fields: [
        "projectId",
        "status",
        "openBlockers",
        "priorityRank",
        "_creationTime",
        "_id",
      ],
    });
    expect(indexOf(parsed, "tasks", "by_lease_expiresAt")?.fields).toEqual([
      "lease.expiresAt",
      "_creationTime",
      "_id",
    ]);
  });

  test("every table starts with the system indexes by_id and by_creation_time", () => {
    for (const table of parsed.tables.values()) {
      expect(table.indexes.slice(0, 2)).toEqual([
        { name: "by_id", fields: ["_id"] },
        { name: "by_creation_time", fields: ["_creationTime", "_id"] },
      ]);
    }
    expect(systemIndexes()).toEqual([BY_ID_INDEX, BY_CREATION_TIME_INDEX]);
  });

  test("keeps each table's document validator", () => {
    const documentType = tableOf(parsed, "tasks").documentType;
    expect(documentType?.type).toBe("object");
    if (documentType?.type !== "object") return;
    expect(documentType.value.title).toEqual({
      fieldType: { type: "string" },
      optional: false,
    });
    expect(documentType.value.lease?.optional).toBe(true);
  });
});

describe("indexKey", () => {
  const leased = {
    _id: "id1",
    _creationTime: 10,
    projectId: "p1",
    status: "todo",
    lease: { holderId: "u1", expiresAt: 1234 },
  };
  const unleased = {
    _id: "id2",
    _creationTime: 11,
    projectId: "p1",
    status: "todo",
  };

  test("extracts nested paths like lease.expiresAt, then _creationTime and _id", () => {
    const fields = indexOf(parsed, "tasks", "by_lease_expiresAt")?.fields ?? [];
    expect(indexKey(leased, fields)).toEqual([1234, 10, "id1"]);
    expect(indexKey(unleased, fields)).toEqual([undefined, 11, "id2"]);
  });

  test("a missing field is undefined, and sorts before every value", () => {
    const fields =
      indexOf(parsed, "tasks", "by_projectId_status_openBlockers_priorityRank")
        ?.fields ?? [];
    const withRank = { ...unleased, openBlockers: 0, priorityRank: 2 };
    expect(indexKey(unleased, fields)).toEqual([
      "p1",
      "todo",
      undefined,
      undefined,
      11,
      "id2",
    ]);
    expect(
      compareIndexKeys(indexKey(unleased, fields), indexKey(withRank, fields)),
    ).toBeLessThan(0);
  });

  test("getFieldPath stops at non-objects and does not enter arrays", () => {
    const doc = { a: { b: { c: 1 } }, list: [{ x: 1 }], n: null, s: "str" };
    expect(getFieldPath(doc, "a.b.c")).toBe(1);
    expect(getFieldPath(doc, "a.b")).toEqual({ c: 1 });
    expect(getFieldPath(doc, "a.x")).toBeUndefined();
    expect(getFieldPath(doc, "list.0")).toBeUndefined();
    expect(getFieldPath(doc, "list.x")).toBeUndefined();
    expect(getFieldPath(doc, "n.x")).toBeUndefined();
    expect(getFieldPath(doc, "s.length")).toBeUndefined();
    expect(getFieldPath({ a: undefined }, "a")).toBeUndefined();
    // Inherited properties are not fields.
    expect(getFieldPath(doc, "a.toString")).toBeUndefined();
  });
});

describe("parseSchema on other schemas", () => {
  test("v.any() tables have no document validator; search and vector indexes by name", () => {
    const result = parseSchema(
      exportOf(
        defineSchema(
          {
            notes: defineTable(v.any())
              .searchIndex("search_body", {
                searchField: "body",
                filterFields: ["author"],
              })
              .vectorIndex("by_embedding", {
                vectorField: "embedding",
                dimensions: 3,
              }),
          },
          { schemaValidation: false },
        ),
      ),
    );
    expect(result.schemaValidation).toBe(false);
    expect(tableOf(result, "notes")).toEqual({
      documentType: null,
      indexes: systemIndexes(),
      searchIndexes: ["search_body"],
      vectorIndexes: ["by_embedding"],
    });
  });

  test("accepts the export already parsed", () => {
    expect(parseSchema(JSON.parse(exportOf(schema)))).toEqual(parsed);
  });

  const refused = (table: ReturnType<typeof defineTable>) =>
    expect(() => parseSchema(exportOf(defineSchema({ t: table }))));

  test("refuses index definitions Convex refuses, with its messages", () => {
    const table = () =>
      defineTable({
        a: v.string(),
        b: v.string(),
        nested: v.object({ _x: v.string() }),
      });
    refused(table().index("by_id", ["a"])).toThrow(
      'In table "t" cannot name an index "by_id" because the name is reserved.',
    );
    refused(table().index("_mine", ["a"])).toThrow(
      "because the name is reserved",
    );
    refused(table().index("by_a", ["a"]).index("by_a", ["b"])).toThrow(
      'Table "t" has two or more definitions of index "by_a".',
    );
    refused(table().index("by_a", ["a"]).index("by_a2", ["a"])).toThrow(
      'In table "t" index "by_a" and index "by_a2" have the same fields.',
    );
    refused(table().index("by_id2", ["_id" as "a"])).toThrow(
      "`_id` is not a valid index field.",
    );
    refused(table().index("by_time", ["a", "_creationTime"])).toThrow(
      "`_creationTime` is automatically added to the end of each index.",
    );
    refused(table().index("by_x", ["nested._x"])).toThrow(
      "Reserved fields (starting with `_`) are not allowed in indexes.",
    );
    refused(table().index("by_aa", ["a", "a"])).toThrow(
      "Duplicate field a. Index fields must be unique within an index.",
    );
    refused(table().index("by_nothing", [] as unknown as ["a"])).toThrow(
      'In table "t" index "by_nothing" must have at least one field.',
    );
  });

  test("at most 16 index fields, counting the appended _creationTime", () => {
    const fields = Array.from({ length: 16 }, (_, i) => `f${i}`);
    const wide = () =>
      defineTable(
        v.object(Object.fromEntries(fields.map((f) => [f, v.number()]))),
      );
    const fifteen = fields.slice(0, 15) as [string, ...string[]];
    const sixteen = fields as [string, ...string[]];
    expect(() =>
      parseSchema(
        exportOf(defineSchema({ t: wide().index("by_15", fifteen) })),
      ),
    ).not.toThrow();
    refused(wide().index("by_16", sixteen)).toThrow(
      "Indexes may have up to 16 fields.",
    );
  });

  test("refuses malformed exports", () => {
    expect(() => parseSchema("{}")).toThrow("schema.tables is not an array");
    expect(() => parseSchema({ tables: [{ tableName: 1 }] })).toThrow(
      "tableName is not a string",
    );
    expect(() =>
      parseSchema({ tables: [{ tableName: "t", indexes: [] }] }),
    ).toThrow("t.documentType is not an object");
  });
});
