/**
 * Calling one registered function the way the Convex runtime does: validate
 * the arguments against its exported validator, run it inside an execution
 * (so its syscalls reach the right transaction), validate what it returns,
 * and turn what it throws into the error shape clients understand.
 */
import { jsonToConvex, type JSONValue } from "convex/values";
import { LIMITS } from "./limits";
import type { LoadedFunction } from "./modules";
import { runInExecution, type Execution } from "./syscalls";
import type { FunctionOutcome } from "./types";
import { validateArgs, validateValue, type IdContext } from "./validators";
import type { ValidatorJSON } from "convex/values";

export class FunctionError extends Error {
  constructor(
    message: string,
    /** ConvexError data, Convex-JSON encoded. */
    readonly data?: JSONValue,
  ) {
    super(message);
  }
}

type Validators = { args: ValidatorJSON | null; returns: ValidatorJSON | null };
const validatorsOf = new WeakMap<LoadedFunction, Validators>();

/** A function's validators, parsed once per loaded function rather than per call. */
function validators(loaded: LoadedFunction): Validators {
  let parsed = validatorsOf.get(loaded);
  if (parsed === undefined) {
    parsed = {
      args: JSON.parse(loaded.fn.exportArgs()) as ValidatorJSON | null,
      returns: JSON.parse(loaded.fn.exportReturns()) as ValidatorJSON | null,
    };
    validatorsOf.set(loaded, parsed);
  }
  return parsed;
}

export async function invokeFunction(
  loaded: LoadedFunction,
  args: JSONValue,
  execution: Execution,
  ids: IdContext,
): Promise<JSONValue> {
  const argsText = JSON.stringify(args);
  if (argsText.length > LIMITS.argumentsSize) {
    throw new FunctionError(
      `Arguments are too large (${argsText.length} bytes; limit ${LIMITS.argumentsSize}).`,
    );
  }
  const { args: argsValidator, returns: returnsValidator } = validators(loaded);
  if (argsValidator !== null) {
    const error = validateArgs(argsValidator, jsonToConvex(args), ids);
    if (error !== null) throw new FunctionError(error);
  }
  // convex/server spreads the parsed arguments into the handler call: a one-element array.
  const resultText = await runInExecution(execution, () =>
    start(loaded, `[${argsText}]`),
  );
  const result = JSON.parse(resultText) as JSONValue;
  if (resultText.length > LIMITS.returnValueSize) {
    throw new FunctionError(
      `Return value is too large (limit ${LIMITS.returnValueSize} bytes).`,
    );
  }
  if (returnsValidator !== null) {
    const error = validateValue(returnsValidator, jsonToConvex(result), ids);
    if (error !== null)
      throw new FunctionError(`ReturnsValidationError: ${error}`);
  }
  return result;
}

function start(loaded: LoadedFunction, argsText: string): Promise<string> {
  const { fn } = loaded;
  if (loaded.kind === "query" && fn.invokeQuery !== undefined)
    return fn.invokeQuery(argsText);
  if (loaded.kind === "mutation" && fn.invokeMutation !== undefined)
    return fn.invokeMutation(argsText);
  if (loaded.kind === "action" && fn.invokeAction !== undefined)
    return fn.invokeAction("", argsText);
  throw new FunctionError(
    `${loaded.udfPath} cannot be invoked as a ${loaded.kind}.`,
  );
}

/**
 * convex/server marks a thrown ConvexError with Symbol.for("ConvexError")
 * and its data serialized to JSON text (registration_impl.ts).
 */
export function toFailure(
  error: unknown,
  udfPath: string,
  logLines: string[],
): FunctionOutcome {
  if (error instanceof FunctionError) {
    return {
      ok: false,
      errorMessage: error.message,
      errorData: error.data,
      logLines,
    };
  }
  if (
    typeof error === "object" &&
    error !== null &&
    Symbol.for("ConvexError") in error
  ) {
    const convexError = error as { message?: unknown; data?: unknown };
    const data =
      typeof convexError.data === "string"
        ? (JSON.parse(convexError.data) as JSONValue)
        : null;
    return {
      ok: false,
      errorMessage: String(convexError.message),
      errorData: data,
      logLines,
    };
  }
  // SyscallError-like objects from nested calls carry decoded data already.
  if (error instanceof Error && "data" in error && error.data !== undefined) {
    return {
      ok: false,
      errorMessage: error.message,
      errorData: error.data as JSONValue,
      logLines,
    };
  }
  const message =
    error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The developer's log gets the stack; the caller gets Convex's short form.
  if (error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`[${udfPath}] Uncaught ${error.stack}\n`);
  }
  return {
    ok: false,
    errorMessage: `Uncaught ${message}\n    at ${udfPath}`,
    logLines,
  };
}

/** Races a function against its time limit. */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  udfPath: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new FunctionError(`Function ${udfPath} timed out after ${ms} ms.`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
