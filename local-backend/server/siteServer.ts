/**
 * The "site URL": every request becomes a WHATWG `Request` for the engine's
 * HTTP router (convex/http.ts) and the `Response` is streamed back as is.
 * A failing handler yields a 500 with a short message; nothing here can take
 * the process down.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Engine } from "../engine/types";
import { HttpError, readBody, sendText } from "./httpUtil";
import type { Logger } from "./log";

export type SiteServerOptions = {
  /** Largest accepted request body (Convex allows 20 MiB for HTTP actions). */
  maxBodyBytes?: number;
  log?: Logger;
};

export function createSiteHandler(
  engine: Engine,
  options: SiteServerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const log = options.log ?? (() => undefined);

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const aborter = new AbortController();
    // The client went away before we finished answering: let the handler and the stream stop.
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    const request = await toRequest(req, limit, aborter.signal);
    const response = await engine.runHttpAction(request);
    await writeResponse(req, res, response, aborter.signal);
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        log(
          `HTTP action ${req.method ?? ""} ${req.url ?? ""} failed while streaming`,
          error,
        );
        res.destroy();
      } else if (error instanceof HttpError) {
        sendText(res, error.status, error.message);
      } else {
        log(`HTTP action ${req.method ?? ""} ${req.url ?? ""} failed`, error);
        sendText(res, 500, "Internal server error");
      }
    });
  };
}

async function toRequest(
  req: IncomingMessage,
  limit: number,
  signal: AbortSignal,
): Promise<Request> {
  const method = (req.method ?? "GET").toUpperCase();
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  } catch {
    throw new HttpError(400, "BadRequest", "Bad request URL");
  }
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!name.startsWith(":"))
      headers.append(name, req.rawHeaders[i + 1] as string);
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  const body = hasBody ? new Uint8Array(await readBody(req, limit)) : undefined;
  return new Request(url, { method, headers, body, signal });
}

async function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  signal: AbortSignal,
): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);

  if (response.body === null || req.method === "HEAD") {
    res.end();
    await response.body?.cancel();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (signal.aborted) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await waitForDrain(res);
    }
    res.end();
  } finally {
    reader.releaseLock();
  }
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
