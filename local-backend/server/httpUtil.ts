/** Small helpers shared by the API and site servers: bounded bodies, JSON replies, CORS. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** An error that maps to an HTTP status and a `{ code, message }` JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole request body, refusing (413) anything over `limit` bytes. */
export async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpError(
      413,
      "RequestTooLarge",
      `Request body exceeds ${limit} bytes`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit)
      throw new HttpError(
        413,
        "RequestTooLarge",
        `Request body exceeds ${limit} bytes`,
      );
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
): Promise<unknown> {
  const body = await readBody(req, limit);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new HttpError(
      400,
      "BadJsonBody",
      "The request body is not valid JSON",
    );
  }
}

/**
 * Browser clients (VS Code webviews, whose origin is `vscode-webview://...`)
 * call the API cross-origin with an Authorization header and no cookies, so a
 * wildcard origin with the headers listed explicitly is enough.
 */
export function setCorsHeaders(res: ServerResponse): void {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  res.setHeader(
    "Access-Control-Allow-Headers",
    "Content-Type, Authorization, Convex-Client",
  );
  res.setHeader("Access-Control-Max-Age", "86400");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Answers an error unless the response already started, in which case the connection is cut. */
export function sendError(res: ServerResponse, error: unknown): void {
  const httpError =
    error instanceof HttpError
      ? error
      : new HttpError(500, "InternalServerError", "Internal server error");
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, httpError.status, {
    code: httpError.code,
    message: httpError.message,
  });
}
