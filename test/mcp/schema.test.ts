/**
 * The tool surface as published: the contract's tool names, each tool's
 * input schema checked against its Convex function's argument validators by
 * an independent walker (so a schema that drifts from a validator fails
 * here), tools/list under 16 KB, and tools filtered by scope.
 */
import type { ValidatorJSON } from "convex/values";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AGENT_GRANTABLE } from "../../convex/model/permissions";
import { argsValidatorOf } from "../../mcp-server/functions";
import {
  argsToInputSchema,
  toJsonSchema,
  type JsonSchema,
} from "../../mcp-server/jsonSchema";
import { TOOLS } from "../../mcp-server/registry";
import { publishTools, visibleTools } from "../../mcp-server/tools";
import { connectInProcess, type Connected } from "./fixture";

const CONTRACT = [
  "get_context",
  "list_tasks",
  "claim_task",
  "update_task",
  "create_task",
  "post_message",
  "read_thread",
  "wait_for_updates",
  "request_approval",
  "approval_prompt",
  "report_usage",
  "request_sandbox",
  "get_sandbox",
  "complete_step",
];

/** Why `schema` does not describe exactly the values `validator` accepts, or null. */
function mismatch(
  schema: JsonSchema,
  validator: ValidatorJSON,
  at = "$",
): string | null {
  const type = (expected: string) =>
    schema.type === expected
      ? null
      : `${at}: type ${String(schema.type)}, expected ${expected}`;
  switch (validator.type) {
    case "string":
    case "id":
      return type("string");
    case "number":
      return type("number");
    case "boolean":
      return type("boolean");
    case "null":
      return type("null");
    case "any":
      return "type" in schema ? `${at}: constrained, expected any` : null;
    case "literal":
      return schema.const === validator.value
        ? null
        : `${at}: not the literal ${JSON.stringify(validator.value)}`;
    case "array":
      return (
        type("array") ??
        mismatch(schema.items as JsonSchema, validator.value, `${at}[]`)
      );
    case "record":
      return (
        type("object") ??
        mismatch(
          schema.additionalProperties as JsonSchema,
          validator.values.fieldType,
          `${at}{}`,
        )
      );
    case "object": {
      const properties = (schema.properties ?? {}) as Record<
        string,
        JsonSchema
      >;
      const fields = Object.keys(validator.value).sort();
      if (
        JSON.stringify(Object.keys(properties).sort()) !==
        JSON.stringify(fields)
      ) {
        return `${at}: properties ${Object.keys(properties).join(",")}, fields ${fields.join(",")}`;
      }
      const required = fields.filter(
        (name) => !validator.value[name]!.optional,
      );
      const published = ((schema.required ?? []) as string[]).slice().sort();
      if (JSON.stringify(published) !== JSON.stringify(required)) {
        return `${at}: required ${published.join(",")}, expected ${required.join(",")}`;
      }
      if (schema.additionalProperties !== false) return `${at}: open object`;
      for (const name of fields) {
        const problem = mismatch(
          properties[name]!,
          validator.value[name]!.fieldType,
          `${at}.${name}`,
        );
        if (problem !== null) return problem;
      }
      return type("object");
    }
    case "union": {
      const branches = (schema.anyOf as JsonSchema[] | undefined) ?? [schema];
      const enumerated = branches.flatMap((branch) =>
        Array.isArray(branch.enum) ? (branch.enum as unknown[]) : [],
      );
      for (const member of validator.value) {
        const covered =
          member.type === "literal"
            ? enumerated.includes(member.value)
            : branches.some((branch) => mismatch(branch, member, at) === null);
        if (!covered)
          return `${at}: union member ${JSON.stringify(member)} not published`;
      }
      const literals = validator.value.flatMap((m) =>
        m.type === "literal" ? [m.value] : [],
      );
      const extra = enumerated.filter(
        (value) => !literals.includes(value as never),
      );
      return extra.length === 0
        ? null
        : `${at}: extra enum values ${extra.join(",")}`;
    }
    default:
      return `${at}: unexpected validator ${validator.type}`;
  }
}

let mcp: Connected;
let listed: { name: string; inputSchema: JsonSchema }[];
let listedBytes: number;

beforeAll(async () => {
  // No token: the server cannot learn scopes and publishes every tool.
  mcp = await connectInProcess({
    backend: { kind: "dataDir", dataDir: "/nonexistent/switchboard" },
    token: undefined,
    waitTimeoutMs: 1_000,
    approvalTimeoutMs: 1_000,
    connectTimeoutMs: 1_000,
  });
  const answer = await mcp.client.listTools();
  listed = answer.tools;
  listedBytes = Buffer.byteLength(JSON.stringify(answer));
});
afterAll(async () => {
  await mcp.close();
});

describe("the published tools", () => {
  test("are exactly the contract's names", () => {
    expect(listed.map((tool) => tool.name)).toEqual(CONTRACT);
  });

  test("tools/list stays under 16 KB", () => {
    expect(listedBytes).toBeLessThan(16 * 1024);
  });

  test.each(TOOLS.map((tool) => [tool.name, tool] as const))(
    "%s: the input schema is its function's argument validators",
    (name, tool) => {
      const functionArgs = argsValidatorOf(tool.function);
      const published = listed.find(
        (entry) => entry.name === name,
      )!.inputSchema;
      const expected: ValidatorJSON = {
        type: "object",
        value: { ...functionArgs.value, ...tool.local },
      };
      expect(mismatch(published, expected)).toBeNull();
      // Every argument the function takes is published, with nothing invented beyond the wait's own.
      expect(Object.keys(published.properties as object).sort()).toEqual(
        [
          ...Object.keys(functionArgs.value),
          ...Object.keys(tool.local ?? {}),
        ].sort(),
      );
    },
  );

  test("the checker catches drift (a guard for the guard)", () => {
    const tool = TOOLS.find((entry) => entry.name === "list_tasks")!;
    const validator = argsValidatorOf(tool.function);
    const good = argsToInputSchema(validator);
    expect(mismatch(good, validator)).toBeNull();
    const properties = good.properties as Record<string, JsonSchema>;
    const dropped = {
      ...good,
      properties: { ...properties, status: undefined },
    };
    delete (dropped.properties as Record<string, unknown>).status;
    expect(mismatch(dropped, validator)).toMatch(/properties/);
    const narrowed = {
      ...good,
      properties: { ...properties, status: { type: "string", enum: ["todo"] } },
    };
    expect(mismatch(narrowed, validator)).toMatch(/union member .*backlog/);
    const loosened = { ...good, required: ["limit"] };
    expect(mismatch(loosened, validator)).toMatch(/required/);
  });

  test("each tool's scopes are agent scopes, and tools/list filters by them", () => {
    const published = publishTools();
    for (const tool of TOOLS) {
      for (const scope of tool.scopes) expect(AGENT_GRANTABLE).toContain(scope);
    }
    const identity = (scopes?: string[]) => ({
      token: "jwt",
      expiresAt: 0,
      kind: scopes === undefined ? ("user" as const) : ("agent" as const),
      subject: "x",
      scopes,
    });
    expect(visibleTools(published, identity()).map((t) => t.name)).toEqual(
      CONTRACT,
    );
    expect(
      visibleTools(published, identity(["threads:read", "threads:post"])).map(
        (t) => t.name,
      ),
    ).toEqual(["post_message", "read_thread"]);
    expect(visibleTools(published, identity([]))).toEqual([]);
  });
});

describe("the validator to JSON Schema converter", () => {
  test("literal unions become one enum; mixed unions anyOf with duplicates merged", () => {
    expect(
      toJsonSchema({
        type: "union",
        value: [
          { type: "literal", value: "a" },
          { type: "literal", value: "b" },
        ],
      }),
    ).toEqual({ type: "string", enum: ["a", "b"] });
    expect(
      toJsonSchema({
        type: "union",
        value: [
          { type: "literal", value: "me" },
          { type: "id", tableName: "users" },
          { type: "id", tableName: "agents" },
        ],
      }),
    ).toEqual({
      anyOf: [{ type: "string", enum: ["me"] }, { type: "string" }],
    });
  });

  test("objects, arrays, records, any, optional fields and hints", () => {
    const schema = argsToInputSchema(
      {
        type: "object",
        value: {
          ids: {
            fieldType: {
              type: "array",
              value: { type: "id", tableName: "tasks" },
            },
            optional: false,
          },
          meta: {
            fieldType: {
              type: "record",
              keys: { type: "string" },
              values: { fieldType: { type: "number" }, optional: false },
            },
            optional: true,
          },
          input: { fieldType: { type: "any" }, optional: false },
        },
      },
      { ids: "Task ids." },
    );
    expect(schema).toEqual({
      type: "object",
      properties: {
        ids: {
          type: "array",
          items: { type: "string" },
          description: "Task ids.",
        },
        meta: { type: "object", additionalProperties: { type: "number" } },
        input: {},
      },
      required: ["ids", "input"],
      additionalProperties: false,
    });
    expect(() =>
      argsToInputSchema({ type: "object", value: {} }, { nope: "x" }),
    ).toThrow(/not an argument/);
  });
});
