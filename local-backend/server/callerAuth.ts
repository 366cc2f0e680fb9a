/**
 * Turning what a client presents (a user JWT, an admin key, optionally an
 * identity to act as) into a `CallerIdentity`, shared by the WebSocket
 * Authenticate message and the HTTP `Authorization` header.
 */
import type { JSONValue } from "convex/values";
import type { CallerIdentity, Engine } from "../engine/types";

type Attributes = { [key: string]: JSONValue };

/** An admin acting as a user (the client's `setAdminAuth(key, actingAs)`). */
export function impersonatedUser(attributes: Attributes): CallerIdentity {
  const explicit = attributes.tokenIdentifier;
  const text = (v: JSONValue | undefined): string =>
    typeof v === "string" ? v : "";
  const tokenIdentifier =
    typeof explicit === "string"
      ? explicit
      : `${text(attributes.issuer)}|${text(attributes.subject)}`;
  return {
    kind: "user",
    attributes: { ...attributes, tokenIdentifier },
    tokenIdentifier,
  };
}

/** The identity an admin key grants, or undefined when the key is refused. */
export function adminIdentity(
  engine: Engine,
  key: string,
  impersonating: Attributes | undefined,
): CallerIdentity | undefined {
  if (!engine.isAdminKey(key)) return undefined;
  return impersonating === undefined
    ? { kind: "admin" }
    : impersonatedUser(impersonating);
}

export type HeaderAuth =
  | { ok: true; identity: CallerIdentity }
  | { ok: false; code: "Unauthenticated" | "BadAdminKey"; message: string };

function decodeActingAs(encoded: string): Attributes | undefined {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(encoded, "base64").toString("utf8"),
    );
    return typeof parsed === "object" &&
      parsed !== null &&
      !Array.isArray(parsed)
      ? (parsed as Attributes)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ConvexHttpClient sends `Bearer <jwt>` for users and `Convex <adminKey>` or
 * `Convex <adminKey>:<base64 JSON identity>` for admins (http_client.ts).
 */
export async function identityFromHeader(
  engine: Engine,
  header: string | undefined,
): Promise<HeaderAuth> {
  if (header === undefined || header.trim() === "")
    return { ok: true, identity: { kind: "anonymous" } };
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  if (scheme.toLowerCase() === "bearer") {
    try {
      return { ok: true, identity: await engine.authenticate(value) };
    } catch (error) {
      return {
        ok: false,
        code: "Unauthenticated",
        message: errorMessage(error),
      };
    }
  }
  if (scheme === "Convex") {
    const whole = adminIdentity(engine, value, undefined);
    if (whole) return { ok: true, identity: whole };
    const colon = value.lastIndexOf(":");
    const actingAs =
      colon < 0 ? undefined : decodeActingAs(value.slice(colon + 1));
    const identity =
      actingAs && adminIdentity(engine, value.slice(0, colon), actingAs);
    if (identity) return { ok: true, identity };
    return {
      ok: false,
      code: "BadAdminKey",
      message: "The provided admin key was invalid",
    };
  }
  return {
    ok: false,
    code: "Unauthenticated",
    message: `Unsupported authorization scheme ${scheme.slice(0, 32)}`,
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
