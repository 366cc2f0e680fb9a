/**
 * The `Convex` global that convex/server calls into (syscall.ts in the convex
 * package): every database, auth, scheduler and action-call operation of a
 * function lands here and is routed, through AsyncLocalStorage, to the
 * execution it belongs to. Arguments and results are JSON text, as in the
 * real runtime.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  convexToJson,
  jsonToConvex,
  type JSONValue,
  type Value,
} from "convex/values";
import { fail, unsupported } from "./errors";
import { decodeMaybeUndefined, type SerializedQuery } from "./queryPlan";
import { docJsonText, type Transaction } from "./transaction";
import type { CallerIdentity } from "./types";

export type UdfType = "query" | "mutation" | "action";

/** What an execution may ask of the engine beyond its own transaction. */
export interface ExecutionHost {
  /** Runs another function for the caller (ctx.runQuery / runMutation / runAction). */
  call(
    udfType: UdfType,
    udfPath: string,
    args: JSONValue,
    identity: CallerIdentity,
  ): Promise<JSONValue>;
  /** Schedules from an action (mutations schedule inside their own transaction). */
  schedule(udfPath: string, atMs: number, args: JSONValue): Promise<string>;
  cancel(jobId: string): Promise<void>;
}

export type Execution = {
  udfPath: string;
  identity: CallerIdentity;
  logLines: string[];
  host: ExecutionHost;
  /** Present for queries and mutations. */
  tx: Transaction | null;
  /** Convex's deadline; syscalls after it fail the function. */
  deadline: number;
};

const executions = new AsyncLocalStorage<Execution>();

export function runInExecution<T>(
  execution: Execution,
  body: () => Promise<T>,
): Promise<T> {
  return executions.run(execution, body);
}

export function currentExecution(): Execution | undefined {
  return executions.getStore();
}

function current(): Execution {
  const execution = executions.getStore();
  if (execution === undefined)
    fail("A Convex syscall was made outside of any function execution.");
  if (Date.now() > execution.deadline)
    fail(`Function ${execution.udfPath} timed out.`);
  return execution;
}

function transaction(execution: Execution, op: string): Transaction {
  if (execution.tx === null)
    fail(`${op} is only available in queries and mutations, not in actions.`);
  return execution.tx;
}

type Args = Record<string, JSONValue>;

function str(args: Args, field: string): string {
  const value = args[field];
  if (typeof value !== "string")
    fail(`Syscall argument "${field}" must be a string.`);
  return value;
}

function optStr(args: Args, field: string): string | undefined {
  const value = args[field];
  return typeof value === "string" ? value : undefined;
}

/** Function references arrive as `{ name }`; components and handles are not supported. */
function udfPathOf(args: Args): string {
  if (typeof args.name === "string") return args.name;
  if (args.reference !== undefined || args.functionHandle !== undefined) {
    unsupported("Components and function handles");
  }
  return fail("Missing function name.");
}

function identityJson(identity: CallerIdentity): JSONValue {
  if (identity.kind !== "user") return null;
  return { ...identity.attributes, tokenIdentifier: identity.tokenIdentifier };
}

function syncSyscall(op: string, args: Args): JSONValue {
  const execution = current();
  switch (op) {
    case "1.0/queryStream": {
      const tx = transaction(execution, "db.query");
      return {
        queryId: tx.startStream(args.query as unknown as SerializedQuery),
      };
    }
    case "1.0/queryCleanup":
      transaction(execution, "db.query").cleanupStream(Number(args.queryId));
      return true;
    case "1.0/db/normalizeId":
      return {
        id: transaction(execution, "db.normalizeId").normalizeId(
          str(args, "table"),
          str(args, "idString"),
        ),
      };
    default:
      return unsupported(`The syscall ${op}`);
  }
}

/** A syscall result that is JSON text already (a document's, see docJsonText). */
class JsonText {
  constructor(readonly text: string) {}
}

async function asyncSyscall(
  op: string,
  args: Args,
): Promise<JSONValue | JsonText> {
  const execution = current();
  switch (op) {
    case "1.0/get": {
      const tx = transaction(execution, "db.get");
      return new JsonText(
        docJsonText(tx.get(str(args, "id"), optStr(args, "table"))),
      );
    }
    case "1.0/insert": {
      const value = jsonToConvex(args.value ?? null) as Record<string, Value>;
      return {
        _id: transaction(execution, "db.insert").insert(
          str(args, "table"),
          value,
        ),
      };
    }
    case "1.0/shallowMerge": {
      const fields: Record<string, Value | undefined> = {};
      for (const [field, json] of Object.entries((args.value ?? {}) as Args)) {
        fields[field] = decodeMaybeUndefined(json);
      }
      transaction(execution, "db.patch").patch(
        str(args, "id"),
        optStr(args, "table"),
        fields,
      );
      return null;
    }
    case "1.0/replace":
      transaction(execution, "db.replace").replace(
        str(args, "id"),
        optStr(args, "table"),
        jsonToConvex(args.value ?? null) as Record<string, Value>,
      );
      return null;
    case "1.0/remove":
      transaction(execution, "db.delete").remove(
        str(args, "id"),
        optStr(args, "table"),
      );
      return null;
    case "1.0/queryStreamNext":
      return streamNext(
        transaction(execution, "db.query"),
        Number(args.queryId),
      );
    case "1.0/queryPage":
      return page(transaction(execution, "paginate"), args);
    case "1.0/count":
      return transaction(execution, "count").count(str(args, "table"));
    case "1.0/getUserIdentity":
      return identityJson(execution.identity);
    case "1.0/schedule": {
      const tx = transaction(execution, "scheduler");
      return tx.schedule(
        udfPathOf(args),
        Number(args.ts) * 1000,
        args.args ?? {},
      );
    }
    case "1.0/cancel_job":
      transaction(execution, "scheduler.cancel").cancelJob(str(args, "id"));
      return null;
    case "1.0/actions/schedule":
      return await execution.host.schedule(
        udfPathOf(args),
        Number(args.ts) * 1000,
        args.args ?? {},
      );
    case "1.0/actions/cancel_job":
      await execution.host.cancel(str(args, "id"));
      return null;
    case "1.0/runUdf":
      return await nestedCall(execution, args);
    case "1.0/actions/query":
      return await execution.host.call(
        "query",
        udfPathOf(args),
        args.args ?? {},
        execution.identity,
      );
    case "1.0/actions/mutation":
      return await execution.host.call(
        "mutation",
        udfPathOf(args),
        args.args ?? {},
        execution.identity,
      );
    case "1.0/actions/action":
      return await execution.host.call(
        "action",
        udfPathOf(args),
        args.args ?? {},
        execution.identity,
      );
    case "1.0/getFunctionMetadata":
      return { name: execution.udfPath, componentPath: "" };
    case "1.0/getDeploymentMetadata":
      return { name: "switchboard-local", region: null, class: "local" };
    default:
      return unsupported(featureOf(op));
  }
}

/** The Convex feature behind a syscall we do not implement, for the error message. */
function featureOf(op: string): string {
  if (op.startsWith("1.0/storage")) return "File storage";
  const features: Record<string, string> = {
    "1.0/actions/vectorSearch": "Vector search",
    "1.0/createFunctionHandle": "Function handles",
    "1.0/signJwt": "ctx.auth.signJwt",
    "1.0/createServiceToken": "Convex service tokens",
    "1.0/getServiceUrl": "Convex services",
  };
  return features[op] ?? `The syscall ${op}`;
}

function streamNext(tx: Transaction, queryId: number): JsonText {
  const doc = tx.nextInStream(queryId);
  return new JsonText(
    doc === null
      ? '{"value":null,"done":true}'
      : `{"value":${docJsonText(doc)},"done":false}`,
  );
}

function page(tx: Transaction, args: Args): JSONValue {
  const result = tx.page({
    query: args.query as unknown as SerializedQuery,
    cursor: typeof args.cursor === "string" ? args.cursor : null,
    endCursor: typeof args.endCursor === "string" ? args.endCursor : null,
    pageSize: Number(args.pageSize),
    maximumRowsRead:
      typeof args.maximumRowsRead === "number" ? args.maximumRowsRead : null,
  });
  return {
    page: result.page.map((doc) => convexToJson(doc)),
    isDone: result.isDone,
    continueCursor: result.continueCursor,
    splitCursor: null,
    pageStatus: null,
  };
}

/** ctx.runQuery / ctx.runMutation from a query or mutation: runs inside the same transaction. */
async function nestedCall(
  execution: Execution,
  args: Args,
): Promise<JSONValue> {
  const udfType = args.udfType === "snapshotQuery" ? "query" : args.udfType;
  if (udfType !== "query" && udfType !== "mutation")
    fail(`Cannot run a ${JSON.stringify(udfType)} from a transaction.`);
  if (udfType === "mutation" && execution.tx?.kind !== "mutation")
    fail("Queries cannot run mutations.");
  return await execution.host.call(
    udfType,
    udfPathOf(args),
    args.args ?? {},
    execution.identity,
  );
}

/** Installs the global once; convex/server looks it up on every call. */
export function installConvexGlobal(): void {
  const global = globalThis as { Convex?: unknown };
  if (global.Convex !== undefined) return;
  global.Convex = {
    syscall: (op: string, jsonArgs: string): string =>
      JSON.stringify(syncSyscall(op, JSON.parse(jsonArgs) as Args)),
    asyncSyscall: async (op: string, jsonArgs: string): Promise<string> => {
      try {
        const result = await asyncSyscall(op, JSON.parse(jsonArgs) as Args);
        return result instanceof JsonText
          ? result.text
          : JSON.stringify(result);
      } catch (error) {
        throw toSyscallError(error);
      }
    },
    jsSyscall: (op: string): never => unsupported(`The JS syscall ${op}`),
  };
}

/**
 * convex/server rethrows syscall errors as `new Error(message)`, or as a
 * ConvexError when the thrown object carries `data` (Convex-JSON, decoded).
 */
export class SyscallError extends Error {
  constructor(
    message: string,
    readonly data?: JSONValue,
  ) {
    super(message);
  }
}

function toSyscallError(error: unknown): Error {
  if (error instanceof SyscallError) return error;
  if (error instanceof Error) return error;
  return new Error(String(error));
}
