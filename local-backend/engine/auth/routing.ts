/**
 * Choosing the provider for a token from its unverified header and claims,
 * before any key is fetched, as Convex's AuthInfo::matches_token does; the
 * signature is checked afterwards against that provider's keys only.
 */
import {
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from "jose";
import type { Provider } from "./config";
import { errorMessage, invalid } from "./errors";

/** Real tokens are ~1 KB; this bounds decoding work on hostile input. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export function decodeToken(token: unknown): {
  header: ProtectedHeaderParameters;
  payload: JWTPayload;
} {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) {
    throw invalid(
      `The token must be a JWT string of at most ${MAX_TOKEN_LENGTH} characters.`,
    );
  }
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
  } catch (error) {
    throw invalid(
      `Could not parse JWT payload (${errorMessage(error)}). Check that the token is a valid JWT format with three base64-encoded parts separated by dots.`,
    );
  }
}

export function audienceList(aud: unknown): string[] {
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud)
    ? aud.filter((a): a is string => typeof a === "string")
    : [];
}

/**
 * Convex's AuthInfo::matches_token: the applicationID (when set) must be among
 * the audiences; issuers compare with https:// added to a bare `iss` and
 * trailing slashes ignored (Auth0 puts one in `iss`, users often omit it).
 */
export function matchesToken(
  provider: Provider,
  issuer: string,
  audiences: string[],
): boolean {
  if (
    provider.applicationID !== undefined &&
    !audiences.includes(provider.applicationID)
  ) {
    return false;
  }
  const configured =
    provider.kind === "oidc" ? provider.domain : provider.issuer;
  const withScheme = /^https?:\/\//.test(issuer) ? issuer : `https://${issuer}`;
  return trimSlashes(configured) === trimSlashes(withScheme);
}

export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Convex's message, plus what the token carried so the mismatch is visible. */
export function noProviderMessage(
  providers: readonly Provider[],
  issuer: string,
  audiences: string[],
): string {
  const configured = providers.map((p) =>
    p.kind === "oidc"
      ? `OIDC(domain=${p.domain}, app_id=${p.applicationID})`
      : `CustomJWT(issuer=${p.issuer}, app_id=${p.applicationID ?? "none"})`,
  );
  return (
    "No auth provider found matching the given token. Check that your JWT's issuer and audience " +
    `match one of your configured providers: [${configured.join(", ")}]. ` +
    `The token has iss=${JSON.stringify(issuer)} and aud=${JSON.stringify(audiences)}.`
  );
}

/** Convex's OIDC verifier requires the applicationID and rejects any other audience. */
export function checkOidcAudience(
  audiences: string[],
  applicationID: string,
): void {
  if (
    !audiences.includes(applicationID) ||
    audiences.some((a) => a !== applicationID)
  ) {
    throw invalid(
      `Invalid audience: expected only ${JSON.stringify(applicationID)}, the token has ${JSON.stringify(audiences)}.`,
    );
  }
}
