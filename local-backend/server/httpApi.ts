/**
 * The deployment URL's HTTP API, as ConvexHttpClient uses it (http_client.ts):
 *
 *   POST /api/query | /api/mutation | /api/action   { path, args: [obj], format }
 *   POST /api/query_ts -> { ts };  POST /api/query_at_ts  { path, args, ts }
 *   POST /api/function   { path, args: obj, componentPath }   (kind looked up)
 *   POST /api/run/<module/path>/<fn>   { args: obj }            (kind looked up)
 *
 * Replies are `{ status: "success", value, logLines }` (200) or
 * `{ status: "error", errorMessage, errorData?, logLines }` with status 560,
 * which the client turns into a ConvexError when errorData is present. Other
 * failures are non-2xx `{ code, message }`, which the client throws as text.
 * Plus `GET /health`, `GET /version`, `GET /instance_name`, and CORS.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONValue } from "convex/values";
import type {
  CallerIdentity,
  Engine,
  FunctionCall,
  FunctionKind,
  FunctionOutcome,
} from "../engine/types";
import { identityFromHeader } from "./callerAuth";
import {
  HttpError,
  readJsonBody,
  sendError,
  sendJson,
  sendText,
  setCorsHeaders,
} from "./httpUtil";
import type { Logger } from "./log";

/** HTTP status meaning "the function itself failed" (STATUS_CODE_UDF_FAILED in http_client.ts). */
export const STATUS_UDF_FAILED = 560;

/**
 * Optional engine capability: which kind a public function is. Needed only by
 * the endpoints that do not name the kind (/api/run, /api/function).
 */
export type FunctionKindLookup = {
  functionKind?(udfPath: string): FunctionKind | undefined;
};

export type HttpApiOptions = {
  /** Largest accepted request body (Convex caps function arguments at 16 MiB). */
  maxBodyBytes?: number;
  version?: string;
  instanceName?: string;
  log?: Logger;
};

type CallRequest = { udfPath: string; args: JSONValue; ts: string | undefined };

export function createApiHandler(
  engine: Engine & FunctionKindLookup,
  options: HttpApiOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const log = options.log ?? (() => undefined);

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    setCorsHeaders(res);
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    if (req.method === "GET") {
      if (path === "/health")
        return sendJson(res, 200, {
          status: "ok",
          latestTs: String(engine.latestTs()),
        });
      if (path === "/version")
        return sendText(
          res,
          200,
          options.version ?? "switchboard-local-backend",
        );
      if (path === "/instance_name")
        return sendText(res, 200, options.instanceName ?? "switchboard-local");
      throw new HttpError(404, "NotFound", `No route for GET ${path}`);
    }
    if (req.method !== "POST")
      throw new HttpError(
        405,
        "MethodNotAllowed",
        `${req.method ?? ""} is not allowed`,
      );

    if (path === "/api/query_ts") {
      req.resume();
      return sendJson(res, 200, { ts: String(engine.latestTs()) });
    }
    const kind = fixedKind(path);
    const isRun = path.startsWith("/api/run/");
    if (kind === undefined && !isRun && path !== "/api/function") {
      throw new HttpError(404, "NotFound", `No route for POST ${path}`);
    }
    const request = parseCallRequest(
      await readJsonBody(req, limit),
      isRun ? runPath(path) : undefined,
    );
    const auth = await identityFromHeader(engine, header(req, "authorization"));
    if (!auth.ok) throw new HttpError(401, auth.code, auth.message);
    const resolvedKind = kind ?? lookupKind(engine, request.udfPath);
    const outcome = await run(
      resolvedKind,
      request,
      auth.identity,
      path === "/api/query_at_ts",
    );
    if (outcome.ok) {
      return sendJson(res, 200, {
        status: "success",
        value: outcome.value,
        logLines: outcome.logLines,
      });
    }
    const body: { [key: string]: JSONValue } = {
      status: "error",
      errorMessage: outcome.errorMessage,
      logLines: outcome.logLines,
    };
    if (outcome.errorData !== undefined) body.errorData = outcome.errorData;
    return sendJson(res, STATUS_UDF_FAILED, body);
  }

  async function run(
    kind: FunctionKind,
    request: CallRequest,
    identity: CallerIdentity,
    atTs: boolean,
  ): Promise<FunctionOutcome> {
    const call: FunctionCall = {
      udfPath: request.udfPath,
      args: request.args,
      identity,
    };
    if (kind === "mutation") return engine.runMutation(call);
    if (kind === "action") return engine.runAction(call);
    const { ts, outcomes } = await engine.runQueries([call]);
    // The engine reads only its newest snapshot, so a consistent query at an older ts is refused.
    if (atTs && request.ts !== String(ts)) {
      throw new HttpError(
        400,
        "SnapshotUnavailable",
        `Timestamp ${request.ts ?? ""} is no longer readable`,
      );
    }
    const outcome = outcomes[0];
    if (outcome === undefined) throw new Error("engine returned no outcome");
    return outcome;
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!(error instanceof HttpError))
        log(`HTTP API ${req.method ?? ""} ${req.url ?? ""} failed`, error);
      sendError(res, error);
    });
  };
}

function fixedKind(path: string): FunctionKind | undefined {
  switch (path) {
    case "/api/query":
    case "/api/query_at_ts":
      return "query";
    case "/api/mutation":
      return "mutation";
    case "/api/action":
      return "action";
    default:
      return undefined;
  }
}

/** `/api/run/dir/module/fn` names `dir/module:fn` (Convex's HTTP API). */
function runPath(path: string): string {
  const parts = path
    .slice("/api/run/".length)
    .split("/")
    .filter(Boolean)
    .map(decodeURIComponent);
  const fn = parts.pop();
  if (fn === undefined || parts.length === 0) {
    throw new HttpError(
      400,
      "BadFunctionPath",
      "Expected /api/run/<module>/<function>",
    );
  }
  return `${parts.join("/")}:${fn}`;
}

function lookupKind(engine: FunctionKindLookup, udfPath: string): FunctionKind {
  if (typeof engine.functionKind !== "function") {
    throw new HttpError(
      501,
      "NotImplemented",
      "This endpoint needs the engine's functionKind lookup",
    );
  }
  const kind = engine.functionKind(udfPath);
  if (kind === undefined)
    throw new HttpError(
      404,
      "FunctionNotFound",
      `Could not find public function ${udfPath}`,
    );
  return kind;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Accepts args as `[obj]` (the npm client) or `obj` (the documented HTTP API). */
function parseCallRequest(
  body: unknown,
  pathFromUrl: string | undefined,
): CallRequest {
  if (!isObject(body))
    throw new HttpError(
      400,
      "BadRequest",
      "The request body must be a JSON object",
    );
  const udfPath = pathFromUrl ?? body.path;
  if (typeof udfPath !== "string" || udfPath === "") {
    throw new HttpError(400, "BadRequest", "`path` must name a function");
  }
  if (
    body.componentPath !== undefined &&
    body.componentPath !== null &&
    body.componentPath !== ""
  ) {
    throw new HttpError(
      400,
      "BadRequest",
      "Components are not supported by the local backend",
    );
  }
  if (
    body.format !== undefined &&
    body.format !== "convex_encoded_json" &&
    body.format !== "json"
  ) {
    throw new HttpError(
      400,
      "BadRequest",
      "`format` must be convex_encoded_json or json",
    );
  }
  let args: unknown = body.args ?? {};
  if (Array.isArray(args) && args.length === 1) args = args[0];
  if (!isObject(args))
    throw new HttpError(
      400,
      "BadRequest",
      "`args` must be an object or [object]",
    );
  const ts = typeof body.ts === "string" ? body.ts : undefined;
  return { udfPath, args: args as JSONValue, ts };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
