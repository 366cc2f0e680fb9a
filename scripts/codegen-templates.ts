// Text of convex/_generated as `npx convex codegen` (convex 1.48) writes it for an app
// with no components, the default "js/dts" file type and no staticApi/staticDataModel.
// Transcribed from node_modules/convex/src/cli/codegen_templates/ (common.ts, api.ts,
// component_api.ts, dataModel.ts, server.ts). The output is run through Prettier, so
// only tokens, comments and blank lines matter here, not indentation.

const header = (description: string): string => `/* eslint-disable */
/**
 * ${description}
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run \`npx convex dev\`.
 * @module
 */
`;

const usage = (what: string, name: string): string => `/**
 * A utility for referencing Convex functions in your app's${what} API.
 *
 * Usage:
 * \`\`\`js
 * const myFunctionReference = ${name}.myModule.myFunction;
 * \`\`\`
 */`;

/** `dir/my-mod.ts` -> `dir/my-mod` (api.ts `importPath`). */
export function importPath(modulePath: string): string {
  const lastDot = modulePath.lastIndexOf(".");
  return lastDot === -1 ? modulePath : modulePath.slice(0, lastDot);
}

// Names the api.d.ts imports must not shadow, and reserved words (api.ts `moduleIdentifier`).
const RESERVED = new Set(
  "fullApi api internal components break case catch class const continue debugger default delete do else export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with let static yield await enum implements interface package private protected public".split(
    " ",
  ),
);

/** `dir/my-mod.ts` -> `dir_my_mod`, the alias api.d.ts imports the module under. */
export function moduleIdentifier(modulePath: string): string {
  const id = importPath(modulePath).replace(/\//g, "_").replace(/-/g, "_");
  return RESERVED.has(id) ? `${id}_` : id;
}

export function apiDts(modulePaths: string[]): string {
  const imports = modulePaths.map(
    (p) =>
      `import type * as ${moduleIdentifier(p)} from "../${importPath(p)}.js";`,
  );
  const entries = modulePaths.map(
    (p) => `"${importPath(p)}": typeof ${moduleIdentifier(p)},`,
  );
  return `${header("Generated `api` utility.")}
${imports.join("\n")}

import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";

declare const fullApi: ApiFromModules<{
${entries.join("\n")}
}>;

${usage(" public", "api")}
export declare const api: FilterApi<typeof fullApi, FunctionReference<any, "public">>;

${usage(" internal", "internal")}
export declare const internal: FilterApi<typeof fullApi, FunctionReference<any, "internal">>;

export declare const components: {};
`;
}

export const apiJs = (): string => `${header("Generated `api` utility.")}
import { anyApi, componentsGeneric } from "convex/server";

${usage("", "api")}
export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();
`;

const ID_DOC = `/**
 * An identifier for a document in Convex.
 *
 * Convex documents are uniquely identified by their \`Id\`, which is accessible
 * on the \`_id\` field. To learn more, see [Document IDs](https://docs.convex.dev/using/document-ids).
 *
 * Documents can be loaded using \`db.get(tableName, id)\` in query and mutation functions.
 *
 * IDs are just strings at runtime, but this type can be used to distinguish them from other
 * strings when type checking.`;

const DATA_MODEL_DOC = `/**
 * A type describing your Convex data model.
 *
 * This type includes information about what tables you have, the type of
 * documents stored in those tables, and the indexes defined on them.
 *
 * This type is used to parameterize methods like \`queryGeneric\` and
 * \`mutationGeneric\` to make them type-safe.
 */`;

export function dataModelDts(hasSchema: boolean): string {
  if (!hasSchema) {
    return `${header("Generated data model types.")}
import { AnyDataModel } from "convex/server";
import type { GenericId } from "convex/values";

/**
 * No \`schema.ts\` file found!
 *
 * This generated code has permissive types like \`Doc = any\` because
 * Convex doesn't know your schema. If you'd like more type safety, see
 * https://docs.convex.dev/using/schemas for instructions on how to add a
 * schema file.
 *
 * After you change a schema, rerun codegen with \`npx convex dev\`.
 */

/**
 * The names of all of your Convex tables.
 */
export type TableNames = string;

/**
 * The type of a document stored in Convex.
 */
export type Doc = any;

${ID_DOC}
 */
export type Id<TableName extends TableNames = TableNames> = GenericId<TableName>;

${DATA_MODEL_DOC}
export type DataModel = AnyDataModel;
`;
  }
  return `${header("Generated data model types.")}
import type { DataModelFromSchemaDefinition, DocumentByName, TableNamesInDataModel, SystemTableNames } from "convex/server";
import type { GenericId } from "convex/values";
import schema from "../schema.js";

/**
 * The names of all of your Convex tables.
 */
export type TableNames = TableNamesInDataModel<DataModel>;

/**
 * The type of a document stored in Convex.
 *
 * @typeParam TableName - A string literal type of the table name (like "users").
 */
export type Doc<TableName extends TableNames> = DocumentByName<DataModel, TableName>;

${ID_DOC}
 *
 * @typeParam TableName - A string literal type of the table name (like "users").
 */
export type Id<TableName extends TableNames | SystemTableNames> = GenericId<TableName>;

${DATA_MODEL_DOC}
export type DataModel = DataModelFromSchemaDefinition<typeof schema>;
`;
}

const jsdoc = (lines: string[]): string =>
  ["/**", ...lines.map((l) => (l ? ` * ${l}` : " *")), " */"].join("\n");

// The builders server.js exports and server.d.ts declares, in template order.
const BUILDERS: {
  name: string;
  generic: string;
  type: string;
  doc: string[];
}[] = [
  {
    name: "query",
    generic: "queryGeneric",
    type: 'QueryBuilder<DataModel, "public">',
    doc: [
      "Define a query in this Convex app's public API.",
      "",
      "This function will be allowed to read your Convex database and will be accessible from the client.",
      "",
      "@param func - The query function. It receives a {@link QueryCtx} as its first argument.",
      "@returns The wrapped query. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "internalQuery",
    generic: "internalQueryGeneric",
    type: 'QueryBuilder<DataModel, "internal">',
    doc: [
      "Define a query that is only accessible from other Convex functions (but not from the client).",
      "",
      "This function will be allowed to read from your Convex database. It will not be accessible from the client.",
      "",
      "@param func - The query function. It receives a {@link QueryCtx} as its first argument.",
      "@returns The wrapped query. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "mutation",
    generic: "mutationGeneric",
    type: 'MutationBuilder<DataModel, "public">',
    doc: [
      "Define a mutation in this Convex app's public API.",
      "",
      "This function will be allowed to modify your Convex database and will be accessible from the client.",
      "",
      "@param func - The mutation function. It receives a {@link MutationCtx} as its first argument.",
      "@returns The wrapped mutation. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "internalMutation",
    generic: "internalMutationGeneric",
    type: 'MutationBuilder<DataModel, "internal">',
    doc: [
      "Define a mutation that is only accessible from other Convex functions (but not from the client).",
      "",
      "This function will be allowed to modify your Convex database. It will not be accessible from the client.",
      "",
      "@param func - The mutation function. It receives a {@link MutationCtx} as its first argument.",
      "@returns The wrapped mutation. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "action",
    generic: "actionGeneric",
    type: 'ActionBuilder<DataModel, "public">',
    doc: [
      "Define an action in this Convex app's public API.",
      "",
      "An action is a function which can execute any JavaScript code, including non-deterministic",
      "code and code with side-effects, like calling third-party services.",
      'They can be run in Convex\'s JavaScript environment or in Node.js using the "use node" directive.',
      "They can interact with the database indirectly by calling queries and mutations using the {@link ActionCtx}.",
      "",
      "@param func - The action. It receives an {@link ActionCtx} as its first argument.",
      "@returns The wrapped action. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "internalAction",
    generic: "internalActionGeneric",
    type: 'ActionBuilder<DataModel, "internal">',
    doc: [
      "Define an action that is only accessible from other Convex functions (but not from the client).",
      "",
      "@param func - The function. It receives an {@link ActionCtx} as its first argument.",
      "@returns The wrapped function. Include this as an `export` to name it and make it accessible.",
    ],
  },
  {
    name: "httpAction",
    generic: "httpActionGeneric",
    type: "HttpActionBuilder",
    doc: [
      "Define an HTTP action.",
      "",
      "The wrapped function will be used to respond to HTTP requests received",
      "by a Convex deployment if the requests matches the path and method where",
      "this action is routed. Be sure to route your httpAction in `convex/http.js`.",
      "",
      "@param func - The function. It receives an {@link ActionCtx} as its first argument",
      "and a Fetch API `Request` object as its second.",
      "@returns The wrapped function. Import this function from `convex/http.js` and route it to hook it up.",
    ],
  },
];

const SERVER_HEADER = header(
  "Generated utilities for implementing server-side Convex query and mutation functions.",
);

/** An env var declared in convex.config.ts, its TypeScript type already rendered. */
export type EnvVar = { name: string; type: string; optional: boolean };

// Final codegen always types these two (server.ts PLATFORM_ENV_VARS), then the
// app's declared ones in declaration order.
const PLATFORM_ENV_VARS: EnvVar[] = [
  { name: "CONVEX_CLOUD_URL", type: "string", optional: false },
  { name: "CONVEX_SITE_URL", type: "string", optional: false },
];

const ENV_DOC = jsdoc([
  "Typesafe environment variables.",
  "",
  "This includes platform-provided env vars and any variables declared in",
  "`convex.config.ts`.",
]);

const CTX_TYPES: { doc: string[]; decl: string }[] = [
  {
    doc: [
      "A set of services for use within Convex query functions.",
      "",
      "The query context is passed as the first argument to any Convex query",
      "function run on the server.",
      "",
      "This differs from the {@link MutationCtx} because all of the services are",
      "read-only.",
    ],
    decl: "export type QueryCtx = GenericQueryCtx<DataModel>;",
  },
  {
    doc: [
      "A set of services for use within Convex mutation functions.",
      "",
      "The mutation context is passed as the first argument to any Convex mutation",
      "function run on the server.",
    ],
    decl: "export type MutationCtx = GenericMutationCtx<DataModel>;",
  },
  {
    doc: [
      "A set of services for use within Convex action functions.",
      "",
      "The action context is passed as the first argument to any Convex action",
      "function run on the server.",
    ],
    decl: "export type ActionCtx = GenericActionCtx<DataModel>;",
  },
  {
    doc: [
      "An interface to read from the database within Convex query functions.",
      "",
      "The two entry points are {@link DatabaseReader.get}, which fetches a single",
      "document by its {@link Id}, or {@link DatabaseReader.query}, which starts",
      "building a query.",
    ],
    decl: "export type DatabaseReader = GenericDatabaseReader<DataModel>;",
  },
  {
    doc: [
      "An interface to read from and write to the database within Convex mutation",
      "functions.",
      "",
      "Convex guarantees that all writes within a single mutation are",
      "executed atomically, so you never have to worry about partial writes leaving",
      "your data in an inconsistent state. See [the Convex Guide](https://docs.convex.dev/understanding/convex-fundamentals/functions#atomicity-and-optimistic-concurrency-control)",
      "for the guarantees Convex provides your functions.",
    ],
    decl: "export type DatabaseWriter = GenericDatabaseWriter<DataModel>;",
  },
];

export const serverDts = (
  declaredEnvVars: EnvVar[],
): string => `${SERVER_HEADER}
import {
  ActionBuilder,
  HttpActionBuilder,
  MutationBuilder,
  QueryBuilder,
  GenericActionCtx,
  GenericMutationCtx,
  GenericQueryCtx,
  GenericDatabaseReader,
  GenericDatabaseWriter,
} from "convex/server";
import type { DataModel } from "./dataModel.js";

${ENV_DOC}
type Env = {
${[...PLATFORM_ENV_VARS, ...declaredEnvVars]
  .map(
    (e) =>
      `  readonly ${e.name}: ${e.type}${e.optional ? " | undefined" : ""};`,
  )
  .join("\n")}
};

${BUILDERS.map((b) => `${jsdoc(b.doc)}\nexport declare const ${b.name}: ${b.type};`).join("\n\n")}

${ENV_DOC}
export declare const env: Env;

${CTX_TYPES.map((t) => `${jsdoc(t.doc)}\n${t.decl}`).join("\n\n")}
`;

export const serverJs = (): string => `${SERVER_HEADER}
import {
  actionGeneric,
  httpActionGeneric,
  queryGeneric,
  mutationGeneric,
  internalActionGeneric,
  internalMutationGeneric,
  internalQueryGeneric,
} from "convex/server";

${BUILDERS.map((b) => `${jsdoc(b.doc)}\nexport const ${b.name} = ${b.generic};`).join("\n\n")}

${ENV_DOC}
export const env = process.env;
`;
