/**
 * The agent's long-lived secret, exchanged at `POST {site}/auth/token` for a
 * one-hour JWT (convex/http.ts). The ConvexClient asks for a token whenever
 * it (re)authenticates and ahead of the JWT's expiry; this source answers from
 * its cache while the JWT has more than a minute left, and exchanges again
 * otherwise, one exchange at a time.
 */
import { BackendUnavailableError, NotConfiguredError } from "./errors";

export type Exchanged = {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  kind: "user" | "agent";
  subject: string;
  /** An agent token's scopes; absent for people (their role decides). */
  scopes?: string[];
};

const REFRESH_MARGIN_MS = 60_000;

export async function exchangeSecret(
  siteUrl: string,
  secret: string,
  where: string,
  timeoutMs: number,
): Promise<Exchanged> {
  const endpoint = `${siteUrl}/auth/token`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: secret }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new BackendUnavailableError(
      `Could not reach Switchboard's token endpoint ${endpoint} (${where}): ${causeOf(error)}.`,
    );
  }
  const body = (await response.json().catch(() => null)) as {
    error?: unknown;
  } | null;
  if (response.status === 401) {
    throw new NotConfiguredError(
      `SWITCHBOARD_TOKEN was refused by ${endpoint}: unknown or revoked token. Ask a person to mint a new one (switchboard-mcp setup-claude) and restart this MCP server.`,
    );
  }
  if (response.status === 400) {
    throw new NotConfiguredError(
      "SWITCHBOARD_TOKEN is not a Switchboard token (it should start with sba_).",
    );
  }
  if (!response.ok || body === null || !isExchanged(body)) {
    const detail =
      typeof body?.error === "string" ? body.error : `HTTP ${response.status}`;
    throw new BackendUnavailableError(
      `The token endpoint ${endpoint} (${where}) failed: ${detail}.`,
    );
  }
  return body;
}

function isExchanged(value: object): value is Exchanged {
  const body = value as Record<string, unknown>;
  return (
    typeof body.token === "string" &&
    typeof body.expiresAt === "number" &&
    (body.kind === "user" || body.kind === "agent") &&
    typeof body.subject === "string" &&
    (body.scopes === undefined || Array.isArray(body.scopes))
  );
}

function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code} ${cause.message}`;
  }
  return error.name === "TimeoutError" ? "no answer in time" : error.message;
}

export class TokenSource {
  private current: Exchanged;
  private refreshing: Promise<Exchanged> | null = null;

  constructor(
    first: Exchanged,
    private readonly exchange: () => Promise<Exchanged>,
  ) {
    this.current = first;
  }

  get identity(): Exchanged {
    return this.current;
  }

  /** A JWT with time left; `force` when the backend refused the cached one. */
  async token(force: boolean): Promise<string> {
    if (!force && this.current.expiresAt - Date.now() > REFRESH_MARGIN_MS) {
      return this.current.token;
    }
    this.refreshing ??= this.exchange().finally(() => {
      this.refreshing = null;
    });
    this.current = await this.refreshing;
    return this.current.token;
  }
}
