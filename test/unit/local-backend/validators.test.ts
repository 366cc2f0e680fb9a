import {
  CommitTsPlaceholder,
  getConvexSize,
  v,
  type GenericValidator,
  type Value,
  type ValidatorJSON,
} from "convex/values";
import { describe, expect, test } from "vitest";
import { decodeId, newId } from "../../../local-backend/engine/ids";
import {
  LIMITS,
  checkDocument,
  checkValue,
  documentSchemaError,
  formatValidator,
  validateArgs,
  validateDocument,
  validateValue,
  valueSize,
  type IdContext,
} from "../../../local-backend/engine/validators";
import schema from "../../../convex/schema";

/** `.json` is marked internal in convex's typings but is what functions export. */
const json = (validator: GenericValidator): ValidatorJSON =>
  (validator as unknown as { json: ValidatorJSON }).json;

const TABLES = new Map([
  [1, "users"],
  [2, "tasks"],
  [10_001, "_storage"],
]);
const ctx: IdContext = {
  isIdOfTable: (id, tableName) => ctx.tableNameOfId?.(id) === tableName,
  tableNameOfId: (id) => TABLES.get(decodeId(id)?.tableNumber ?? 0) ?? null,
};
const userId = newId(1);
const taskId = newId(2);
const storageId = newId(10_001);
const bytes = (...values: number[]) => Uint8Array.from(values).buffer;

function expectValid(validator: GenericValidator, ...values: Value[]) {
  for (const value of values) {
    expect(validateValue(json(validator), value, ctx)).toBeNull();
  }
}

function expectInvalid(
  validator: GenericValidator,
  ...values: (Value | undefined)[]
) {
  for (const value of values) {
    expect(validateValue(json(validator), value, ctx)).toMatch(/\S/);
  }
}

describe("validateValue: each validator accepts its values and refuses others", () => {
  test("v.any()", () => {
    expectValid(v.any(), null, 1, 1n, "s", [], {}, bytes());
  });

  test("v.null()", () => {
    expectValid(v.null(), null);
    expectInvalid(v.null(), undefined, 0, "null", false);
  });

  test("v.number() / v.float64(): every float, no int64", () => {
    expectValid(v.number(), 1.5, -0, NaN, Infinity, -Infinity);
    expectValid(v.float64(), 3);
    expectInvalid(v.number(), 1n, "1", null);
  });

  test("v.int64() / v.bigint(): int64, no floats", () => {
    expectValid(v.int64(), 0n, -(2n ** 63n));
    expectValid(v.bigint(), 5n);
    expectInvalid(v.int64(), 5, "5");
  });

  test("v.boolean(), v.string(), v.bytes()", () => {
    expectValid(v.boolean(), true, false);
    expectInvalid(v.boolean(), 0, "true");
    expectValid(v.string(), "", "x");
    expectInvalid(v.string(), 1, null, ["x"]);
    expectValid(v.bytes(), bytes(), bytes(1, 2));
    expectInvalid(v.bytes(), "AQI=", [1, 2]);
  });

  test("v.commitTs(): an int64 or the unresolved placeholder", () => {
    expectValid(v.commitTs(), 17n, new CommitTsPlaceholder());
    expectInvalid(v.commitTs(), 17);
  });

  test("v.literal() of strings, numbers, booleans and bigints", () => {
    expectValid(v.literal("todo"), "todo");
    expectInvalid(v.literal("todo"), "done", 1);
    expectValid(v.literal(3), 3);
    expectInvalid(v.literal(3), 3n, "3");
    expectValid(v.literal(false), false);
    expectInvalid(v.literal(false), true, 0);
    // bigint literals are exported as {"$integer": base64}.
    expect(json(v.literal(3n))).toEqual({
      type: "literal",
      value: { $integer: "AwAAAAAAAAA=" },
    });
    expectValid(v.literal(3n), 3n);
    expectInvalid(v.literal(3n), 3, 4n);
    // Convex compares literals as values: -0 is not 0.
    expectInvalid(v.literal(0), -0);
  });

  test("v.id(): an id of that table only", () => {
    expectValid(v.id("users"), userId);
    expectInvalid(v.id("users"), taskId, storageId, "not-an-id", 1);
  });

  test("v.array()", () => {
    expectValid(v.array(v.string()), [], ["a", "b"]);
    expectInvalid(v.array(v.string()), ["a", 1], "a", {});
  });

  test("v.record(): keys and values", () => {
    expectValid(v.record(v.string(), v.number()), {}, { a: 1, b: 2 });
    expectInvalid(v.record(v.string(), v.number()), { a: "1" }, [1], null);
    expectValid(v.record(v.id("users"), v.boolean()), { [userId]: true });
    expectInvalid(v.record(v.id("users"), v.boolean()), { [taskId]: true });
  });

  test("v.object(): required, optional and extra fields", () => {
    const validator = v.object({
      name: v.string(),
      age: v.optional(v.number()),
    });
    expectValid(validator, { name: "ada" }, { name: "ada", age: 36 });
    // An undefined field is an absent one (Convex never stores undefined).
    expect(
      validateValue(json(validator), { name: "ada", age: undefined }, ctx),
    ).toBeNull();
    expect(
      validateValue(json(validator), { name: "ada", extra: undefined }, ctx),
    ).toBeNull();
    expectInvalid(
      validator,
      {},
      { name: "ada", extra: 1 },
      { name: 1 },
      [],
      "ada",
    );
  });

  test("v.union()", () => {
    const validator = v.union(
      v.literal("a"),
      v.number(),
      v.object({ k: v.string() }),
    );
    expectValid(validator, "a", 1, { k: "x" });
    expectInvalid(validator, "b", 1n, { k: 1 }, null);
  });

  test("v.optional() at the top level still needs a value", () => {
    expectInvalid(v.optional(v.string()), undefined);
  });
});

describe("validateValue: Convex's error messages name the path", () => {
  const tasks = v.object({ tasks: v.array(v.object({ title: v.string() })) });

  test("a value of the wrong type, deep inside", () => {
    const value = { tasks: [{ title: "a" }, { title: "b" }, { title: 3 }] };
    expect(validateValue(json(tasks), value, ctx)).toBe(
      "Value does not match validator.\nPath: .tasks[2].title\nValue: 3.0\nValidator: v.string()",
    );
  });

  test("at the top level there is no path line", () => {
    expect(validateValue(json(v.int64()), 2, ctx)).toBe(
      "Value does not match validator.\n\nValue: 2.0\nValidator: v.int64()",
    );
  });

  test("a missing required field", () => {
    expect(validateValue(json(tasks), { tasks: [{}] }, ctx)).toBe(
      "Object is missing the required field `title`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\nPath: .tasks[0]\nObject: {}\nValidator: v.object({title: v.string()})",
    );
  });

  test("an extra field", () => {
    expect(validateValue(json(tasks), { tasks: [], done: true }, ctx)).toBe(
      "Object contains extra field `done` that is not in the validator.\n\nObject: {done: true, tasks: []}\nValidator: v.object({tasks: v.array(v.object({title: v.string()}))})",
    );
  });

  test("a literal mismatch", () => {
    expect(
      validateValue(
        json(v.object({ s: v.literal("todo") })),
        { s: "done" },
        ctx,
      ),
    ).toBe(
      '`"done"` does not match literal validator `v.literal("todo")`.Path: .s',
    );
  });

  test("an id of another table, and of a system table", () => {
    const validator = json(v.object({ owner: v.id("users") }));
    expect(validateValue(validator, { owner: taskId }, ctx)).toBe(
      `Found ID "${taskId}" from table \`tasks\`, which does not match the table name in validator \`v.id("users")\`.Path: .owner`,
    );
    expect(validateValue(validator, { owner: storageId }, ctx)).toBe(
      `Found ID "${storageId}" from a system table, which does not match the table name in validator \`v.id("users")\`.Path: .owner`,
    );
    expect(validateValue(validator, { owner: "nope" }, ctx)).toBe(
      'Value does not match validator.\nPath: .owner\nValue: "nope"\nValidator: v.id("users")',
    );
  });

  test("inside records: .keys() and .values()", () => {
    const validator = json(v.object({ r: v.record(v.string(), v.number()) }));
    expect(validateValue(validator, { r: { a: 1, b: "x" } }, ctx)).toContain(
      "Path: .r.values()",
    );
    const keyed = json(v.record(v.id("users"), v.number()));
    expect(validateValue(keyed, { k: 1 }, ctx)).toContain("Path: .keys()");
  });

  test("a union reports itself; a one-member union reports its member", () => {
    const union = json(v.object({ u: v.union(v.string(), v.null()) }));
    expect(validateValue(union, { u: 1 }, ctx)).toBe(
      "Value does not match validator.\nPath: .u\nValue: 1.0\nValidator: v.union(v.string(), v.null())",
    );
    const single = json(v.union(v.object({ a: v.string() })));
    expect(validateValue(single, { a: 1 }, ctx)).toContain("Path: .a");
  });
});

describe("formatValidator", () => {
  test("prints validators as Convex does", () => {
    const validator = v.object({
      z: v.optional(
        v.union(v.literal("a"), v.literal(1.5), v.literal(2n), v.literal(true)),
      ),
      a: v.record(v.string(), v.array(v.bytes())),
      m: v.any(),
    });
    expect(formatValidator(json(validator))).toBe(
      'v.object({a: v.record(v.string(), v.array(v.bytes())), m: v.any(), z: v.optional(v.union(v.literal("a"), v.literal(1.5), v.literal(<bigint>), v.literal(true)))})',
    );
  });
});

describe("validateArgs", () => {
  const args = json(
    v.object({ id: v.id("users"), limit: v.optional(v.number()) }),
  );

  test("accepts matching args and prefixes Convex's error name", () => {
    expect(validateArgs(args, { id: userId }, ctx)).toBeNull();
    expect(validateArgs(args, { id: taskId }, ctx)).toMatch(
      /^ArgumentValidationError: Found ID "\w+" from table `tasks`/,
    );
    expect(validateArgs(args, {}, ctx)).toMatch(
      /^ArgumentValidationError: Object is missing the required field `id`/,
    );
  });

  test("without an args validator (v.any()) any object passes; args must be an object", () => {
    expect(validateArgs(json(v.any()), { anything: [1] }, ctx)).toBeNull();
    expect(validateArgs(json(v.any()), [1], ctx)).toBe(
      "ArgumentValidationError: The arguments to a Convex function must be an object. Received: [1.0]",
    );
  });
});

describe("checkValue: what Convex can carry at all", () => {
  const nested = (depth: number): Value =>
    depth === 0 ? 1 : [nested(depth - 1)];

  test("accepts ordinary values", () => {
    expect(
      checkValue({ a: [1, 2n, "x", bytes(1), null, { _b: true }] }),
    ).toBeNull();
    expect(checkValue(nested(64))).toBeNull();
  });

  test("refuses bad field names", () => {
    expect(checkValue({ $a: 1 })).toBe(
      "Field name $a starts with a '$', which is reserved.",
    );
    expect(checkValue({ nested: { é: 1 } })).toBe(
      "Field name é has invalid character 'é': Field names can only contain non-control ASCII characters",
    );
    expect(checkValue({ "a\nb": 1 })).toMatch(/invalid character/);
    expect(checkValue({ ["k".repeat(1025)]: 1 })).toMatch(
      /exceeds maximum field name length 1024/,
    );
  });

  test("refuses int64 overflow, unpaired surrogates and unsupported types", () => {
    expect(checkValue(2n ** 63n)).toBe(
      "BigInt 9223372036854775808 does not fit into a 64-bit signed integer.",
    );
    expect(checkValue(["ok", "bad\ud800"])).toMatch(/unpaired surrogates/);
    expect(checkValue("\udc00x")).toMatch(/unpaired surrogates/);
    expect(checkValue("\ud83d\ude00")).toBeNull();
    expect(checkValue(new Map() as unknown as Value)).toBe(
      "Map is not a supported Convex type.",
    );
  });

  test("refuses too long arrays, too many fields, too deep nesting", () => {
    expect(checkValue(new Array<number>(8192).fill(0))).toBeNull();
    expect(checkValue(new Array<number>(8193).fill(0))).toBe(
      "Array length is too long (8193 > maximum length 8192)",
    );
    const fields = Object.fromEntries(
      Array.from({ length: 1025 }, (_, i) => [`f${i}`, i]),
    );
    expect(checkValue(fields)).toBe(
      "Object has too many fields (1025 > maximum number 1024)",
    );
    expect(checkValue(nested(65))).toBe(
      "Value is too nested (nested 65 levels deep > maximum nesting 64)",
    );
  });
});

describe("checkDocument: what Convex can store", () => {
  const deep = (depth: number): Value =>
    depth === 1 ? {} : { d: deep(depth - 1) };

  test("allows _id and _creationTime, refuses other underscore fields", () => {
    expect(
      checkDocument({ _id: userId, _creationTime: 1, name: "a" }),
    ).toBeNull();
    expect(checkDocument({ _secret: 1 })).toBe(
      "Field '_secret' starts with an underscore, which is only allowed for system fields like '_id'",
    );
    expect(checkDocument({ a: [{ _id: "x" }] })).toBe(
      "Field '_id' starts with an underscore, which is not allowed for nested fields",
    );
    expect(checkDocument({ _id: 5 })).toBe("The '_id' field 5.0 must be an Id");
    expect(checkDocument({ _creationTime: "now" })).toMatch(
      /'_creationTime' field should be a float/,
    );
  });

  test("nesting up to 16 levels", () => {
    expect(checkDocument(deep(16) as Record<string, Value>)).toBeNull();
    expect(checkDocument(deep(17) as Record<string, Value>)).toBe(
      "Document is too nested (nested 17 levels deep > maximum nesting 16)",
    );
  });

  test("up to 1 MiB", () => {
    const fits = LIMITS.maxDocumentSize - valueSize({ s: "" });
    expect(checkDocument({ s: "x".repeat(fits) })).toBeNull();
    expect(checkDocument({ s: "x".repeat(fits + 1) })).toBe(
      "Value is too large (1 MiB > maximum size 1 MiB)",
    );
    expect(checkDocument({ s: "x".repeat(2 * LIMITS.maxDocumentSize) })).toBe(
      "Value is too large (2 MiB > maximum size 1 MiB)",
    );
  });
});

describe("valueSize", () => {
  test("counts bytes as the convex package's getConvexSize does", () => {
    const values: Value[] = [
      null,
      true,
      1,
      1n,
      "",
      "héllo 日本 \u{1f600}",
      bytes(1, 2, 3),
      [],
      [1, [2, "x"]],
      { a: 1, bb: { c: "d" }, e: [null, false] },
      { _id: userId, _creationTime: 1700000000000.5, title: "t" },
    ];
    for (const value of values)
      expect(valueSize(value)).toBe(getConvexSize(value));
    expect(valueSize({ a: 1, b: undefined })).toBe(valueSize({ a: 1 }));
  });
});

describe("validateDocument against this project's schema", () => {
  const exported = JSON.parse(
    (schema as unknown as { export(): string }).export(),
  ) as { tables: { tableName: string; documentType: ValidatorJSON }[] };
  const taskType =
    exported.tables.find((t) => t.tableName === "tasks")?.documentType ?? null;
  const projectId = newId(3);
  const tasksCtx: IdContext = {
    isIdOfTable: (id, table) =>
      (table === "projects" && id === projectId) ||
      (table === "tasks" && id === taskId) ||
      (table === "users" && id === userId),
  };
  const task = {
    _id: taskId,
    _creationTime: 1_700_000_000_000.25,
    projectId,
    number: 1,
    title: "Ship it",
    description: "",
    status: "todo",
    priority: "high",
    priorityRank: 1,
    labels: [],
    dependsOn: [],
    openBlockers: 0,
    createdBy: userId,
    createdAt: 1,
    updatedAt: 1,
  };

  test("a task passes with its system fields", () => {
    expect(taskType).not.toBeNull();
    expect(validateDocument(taskType, task, tasksCtx)).toBeNull();
    const leased = { ...task, lease: { holderId: userId, expiresAt: 5 } };
    expect(validateDocument(taskType, leased, tasksCtx)).toBeNull();
  });

  test("schema errors and storage errors", () => {
    const untitled = Object.fromEntries(
      Object.entries(task).filter(([field]) => field !== "title"),
    );
    expect(validateDocument(taskType, untitled, tasksCtx)).toMatch(
      /^Object is missing the required field `title`/,
    );
    expect(
      validateDocument(taskType, { ...task, _extra: 1 }, tasksCtx),
    ).toMatch(/_extra/);
    expect(
      validateDocument(taskType, { ...task, status: "doing" }, tasksCtx),
    ).toBe(
      'Value does not match validator.\nPath: .status\nValue: "doing"\nValidator: v.union(v.literal("backlog"), v.literal("todo"), v.literal("in_progress"), v.literal("in_review"), v.literal("done"), v.literal("blocked"), v.literal("cancelled"))',
    );
    expect(validateDocument(null, { anything: 1 }, tasksCtx)).toBeNull();
    expect(validateDocument(null, { $bad: 1 }, tasksCtx)).toMatch(/reserved/);
  });

  test("documentSchemaError wraps an error as Convex does", () => {
    expect(documentSchemaError("tasks", "Oops")).toBe(
      'Failed to insert or update a document in table "tasks" because it does not match the schema: Oops',
    );
  });
});
