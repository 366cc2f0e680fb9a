/**
 * Verifies user JWTs against convex/auth.config.ts the way the Convex backend
 * does, so a token accepted here is accepted by Convex cloud and self-hosted
 * Convex, and the identity functions see is the same. Behaviour follows
 * get-convex/convex-backend: crates/common/src/auth.rs (config, provider
 * matching), crates/authentication/src/lib.rs (verification, messages) and
 * crates/keybroker/src/broker.rs (claims -> UserIdentity attributes).
 *
 * Keys are fetched lazily, at the first token that needs them, because the
 * usual JWKS is served by this backend's own site server, which may not be
 * listening yet when the verifier is built. Tokens are never logged, and no
 * error message quotes one.
 */
import type { JSONValue } from "convex/values";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from "jose";
import type { CallerIdentity } from "./types";

export type UserCaller = Extract<CallerIdentity, { kind: "user" }>;
export type TokenVerifier = { verify(token: string): Promise<UserCaller> };
export type TokenVerifierOptions = { fetch?: typeof fetch; now?: () => number };

/** The short codes Convex attaches to these failures (ErrorMetadata). */
export type AuthErrorCode =
  "NoAuthProvider" | "InvalidAuthHeader" | "AuthProviderDiscoveryFailed";

/** A refused token; `message` is written for the protocol's AuthError. */
export class TokenVerificationError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TokenVerificationError";
  }
}

type OidcProvider = { kind: "oidc"; domain: string; applicationID: string };
type CustomJwtProvider = {
  kind: "customJwt";
  issuer: string;
  jwks: string;
  algorithm: "RS256" | "ES256";
  applicationID: string | undefined;
};
type Provider = OidcProvider | CustomJwtProvider;

/** Real tokens are ~1 KB; this bounds decoding work on hostile input. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const FETCH_TIMEOUT_MS = 5_000;
const DISCOVERY_MAX_AGE_MS = 10 * 60_000;
/** Convex (biscuit) allows 5 s of clock skew on custom JWTs, none on OIDC tokens. */
const CUSTOM_JWT_LEEWAY_SECONDS = 5;
/** What Convex's OIDC verifier accepts (set_allowed_algs). */
const OIDC_ALGORITHMS = ["RS256", "EdDSA"];

export function createTokenVerifier(
  authConfig: unknown,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  return new Verifier(
    parseAuthConfig(authConfig),
    options.fetch ?? fetch,
    options.now ?? Date.now,
  );
}

class Verifier implements TokenVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly discoveries = new Map<
    string,
    { at: number; jwksUri: Promise<string> }
  >();

  constructor(
    private readonly providers: readonly Provider[],
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => number,
  ) {}

  async verify(token: string): Promise<UserCaller> {
    if (this.providers.length === 0) {
      throw new TokenVerificationError(
        "NoAuthProvider",
        "No auth providers configured: no auth provider found matching the given token. Check convex/auth.config.ts.",
      );
    }
    const { header, payload } = decodeToken(token);
    if (typeof payload.iss !== "string") {
      throw invalid(
        "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.",
      );
    }
    const issuer = payload.iss;
    const audiences = audienceList(payload.aud);
    const provider = this.providers.find((p) =>
      matchesToken(p, issuer, audiences),
    );
    if (provider === undefined) {
      throw new TokenVerificationError(
        "NoAuthProvider",
        noProviderMessage(this.providers, issuer, audiences),
      );
    }
    return provider.kind === "oidc"
      ? await this.verifyOidc(token, header, provider, issuer)
      : await this.verifyCustomJwt(token, header, provider);
  }

  private async verifyCustomJwt(
    token: string,
    header: ProtectedHeaderParameters,
    provider: CustomJwtProvider,
  ): Promise<UserCaller> {
    if (typeof header.kid !== "string") {
      throw invalid(
        "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
      );
    }
    if (header.alg !== provider.algorithm) {
      throw invalid(
        `The JWT is signed with '${header.alg ?? "none"}' but the provider for ${provider.issuer} expects '${provider.algorithm}'.`,
      );
    }
    const payload = await this.verifySignature(
      token,
      this.keysFor(provider.jwks),
      {
        algorithms: [provider.algorithm],
        clockTolerance: CUSTOM_JWT_LEEWAY_SECONDS,
        requiredClaims: ["iss", "sub", "exp"],
      },
    );
    return customJwtIdentity(payload);
  }

  private async verifyOidc(
    token: string,
    header: ProtectedHeaderParameters,
    provider: OidcProvider,
    issuer: string,
  ): Promise<UserCaller> {
    if (header.alg === undefined || !OIDC_ALGORITHMS.includes(header.alg)) {
      throw invalid(
        `The JWT is signed with '${header.alg ?? "none"}'; OIDC tokens must use ${OIDC_ALGORITHMS.join(" or ")}.`,
      );
    }
    const jwksUri = await this.discover(issuer);
    const payload = await this.verifySignature(token, this.keysFor(jwksUri), {
      algorithms: OIDC_ALGORITHMS,
      clockTolerance: 0,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    });
    checkOidcAudience(audienceList(payload.aud), provider.applicationID);
    return oidcIdentity(payload);
  }

  private async verifySignature(
    token: string,
    keys: JWTVerifyGetKey,
    checks: {
      algorithms: string[];
      clockTolerance: number;
      requiredClaims: string[];
    },
  ): Promise<JWTPayload> {
    try {
      const result = await jwtVerify(token, keys, {
        ...checks,
        currentDate: new Date(this.now()),
      });
      return result.payload;
    } catch (error) {
      throw describeVerifyError(error);
    }
  }

  /** One key set per URL, shared by providers; jose's remote set caches and refetches on unknown kids. */
  private keysFor(url: string): JWTVerifyGetKey {
    let keys = this.keySets.get(url);
    if (keys === undefined) {
      const source = url.startsWith("data:")
        ? dataUrlKeys(url)
        : createRemoteJWKSet(new URL(url), {
            timeoutDuration: FETCH_TIMEOUT_MS,
            [customFetch]: checkedJwksFetch(this.fetchImpl),
          });
      keys = withJwksContext(url, source);
      this.keySets.set(url, keys);
    }
    return keys;
  }

  /** OIDC discovery, cached per issuer; failures are not cached so a provider coming up is noticed. */
  private discover(issuer: string): Promise<string> {
    const cached = this.discoveries.get(issuer);
    if (cached !== undefined && Date.now() - cached.at < DISCOVERY_MAX_AGE_MS) {
      return cached.jwksUri;
    }
    const entry = {
      at: Date.now(),
      jwksUri: discoverJwksUri(this.fetchImpl, issuer),
    };
    this.discoveries.set(issuer, entry);
    entry.jwksUri.catch(() => {
      if (this.discoveries.get(issuer) === entry)
        this.discoveries.delete(issuer);
    });
    return entry.jwksUri;
  }
}

// ---------------------------------------------------------------------------
// auth.config.ts

/** Validates and normalizes the default export of auth.config.ts; a missing export means no providers. */
function parseAuthConfig(authConfig: unknown): Provider[] {
  if (authConfig === undefined || authConfig === null) return [];
  if (!isRecord(authConfig) || !Array.isArray(authConfig.providers)) {
    throw configError("the default export must be { providers: [...] }");
  }
  const providers: unknown[] = authConfig.providers;
  return providers.map((provider, index) =>
    parseProvider(provider, `providers[${index}]`),
  );
}

function parseProvider(value: unknown, where: string): Provider {
  if (!isRecord(value)) throw configError(`${where} must be an object`);
  if (value.type === "customJwt") {
    const algorithm = value.algorithm;
    if (algorithm !== "RS256" && algorithm !== "ES256") {
      throw configError(
        `${where}.algorithm must be "RS256" or "ES256" (the only ones Convex supports)`,
      );
    }
    return {
      kind: "customJwt",
      issuer: issuerUrl(
        requireString(value, "issuer", where),
        `${where}.issuer`,
      ),
      jwks: jwksUrl(requireString(value, "jwks", where), `${where}.jwks`),
      algorithm,
      applicationID: optionalString(value, "applicationID", where),
    };
  }
  if (value.type !== undefined) {
    throw configError(
      `${where}.type must be "customJwt", or absent for an OIDC provider`,
    );
  }
  return {
    kind: "oidc",
    domain: issuerUrl(requireString(value, "domain", where), `${where}.domain`),
    applicationID: requireString(value, "applicationID", where),
  };
}

function requireString(
  value: Record<string, unknown>,
  key: string,
  where: string,
): string {
  const field = value[key];
  if (typeof field !== "string" || field === "") {
    throw configError(
      `${where}.${key} must be a non-empty string (is an environment variable unset?)`,
    );
  }
  return field;
}

function optionalString(
  value: Record<string, unknown>,
  key: string,
  where: string,
): string | undefined {
  const field = value[key];
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "string")
    throw configError(`${where}.${key} must be a string when present`);
  return field;
}

/** Like Convex: a bare host gets https://; only http(s) URLs are accepted. */
function issuerUrl(raw: string, where: string): string {
  const url = /^\w+:\/\//.test(raw) ? raw : `https://${raw}`;
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
    throw configError(`${where} "${raw}" must be an http(s) URL`);
  }
  return url;
}

function jwksUrl(raw: string, where: string): string {
  if (raw.startsWith("data:")) return raw;
  if (!/^https?:\/\//.test(raw) || !URL.canParse(raw)) {
    throw configError(`${where} "${raw}" must be an http(s) or data: URL`);
  }
  return raw;
}

function configError(detail: string): Error {
  return new Error(`Invalid convex/auth.config.ts: ${detail}.`);
}

// ---------------------------------------------------------------------------
// Token routing

function decodeToken(token: unknown): {
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

function audienceList(aud: unknown): string[] {
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
function matchesToken(
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

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Convex's message, plus what the token carried so the mismatch is visible. */
function noProviderMessage(
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
function checkOidcAudience(audiences: string[], applicationID: string): void {
  if (
    !audiences.includes(applicationID) ||
    audiences.some((a) => a !== applicationID)
  ) {
    throw invalid(
      `Invalid audience: expected only ${JSON.stringify(applicationID)}, the token has ${JSON.stringify(audiences)}.`,
    );
  }
}

function invalid(message: string): TokenVerificationError {
  return new TokenVerificationError("InvalidAuthHeader", message);
}

// ---------------------------------------------------------------------------
// Keys

/** Passes jose's request through the injected fetch and applies Convex's response checks. */
function checkedJwksFetch(fetchImpl: typeof fetch): FetchImplementation {
  return async (url, init) => {
    let response: Response;
    try {
      response = await fetchImpl(url, init);
    } catch (error) {
      throw jwksUnavailable(url, fetchFailure(error));
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw jwksUnavailable(
        url,
        `HTTP ${response.status} ${response.statusText}`.trim(),
      );
    }
    const contentType = response.headers.get("content-type");
    if (!isJwksContentType(contentType)) {
      await response.body?.cancel();
      throw invalid(
        `Invalid Content-Type '${contentType ?? "none"}' when fetching JWKS from '${url}'. Expected 'application/json' or 'application/jwk-set+json'.`,
      );
    }
    return response;
  };
}

function isJwksContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [essence = "", ...params] = contentType
    .split(";")
    .map((part) => part.trim().toLowerCase());
  const charset = params.find((param) => param.startsWith("charset="));
  return (
    (essence === "application/json" ||
      essence === "application/jwk-set+json") &&
    (charset === undefined || charset.replace(/"/g, "") === "charset=utf-8")
  );
}

/** A JWKS inlined as a data: URL (Convex supports these); decoded at first use. */
function dataUrlKeys(url: string): JWTVerifyGetKey {
  let keys: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    keys ??= createLocalJWKSet(parseDataUrlJwks(url));
    return await keys(header, token);
  };
}

function parseDataUrlJwks(url: string): JSONWebKeySet {
  const comma = url.indexOf(",");
  let parsed: unknown;
  try {
    if (comma < 0) throw new Error("no comma");
    const meta = url.slice("data:".length, comma);
    const data = decodeURIComponent(url.slice(comma + 1));
    const text = /;base64$/i.test(meta)
      ? Buffer.from(data, "base64").toString("utf8")
      : data;
    parsed = JSON.parse(text);
  } catch {
    throw invalid(
      "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.",
    );
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.keys)) {
    throw invalid(
      "Invalid JWKS data URL: the JSON is not a JWKS ({ keys: [...] }).",
    );
  }
  const keys: unknown[] = parsed.keys;
  return { keys: keys.filter(isRecord) };
}

/** Names the JWKS in key-lookup failures, which jose reports without context. */
function withJwksContext(url: string, keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      throw describeJwksError(error, displayUrl(url), header.kid);
    }
  };
}

function describeJwksError(
  error: unknown,
  url: string,
  kid: string | undefined,
): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalid(
      `Could not decode token. The JWT's 'kid' (key ID) header is '${kid ?? "none"}', does this key match any key in the provider's JWKS at '${url}'?`,
    );
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid(
      `Could not decode token: several keys in the JWKS at '${url}' match the JWT's 'kid' '${kid ?? "none"}'.`,
    );
  }
  if (error instanceof errors.JWKSTimeout)
    return jwksUnavailable(url, "timed out");
  if (error instanceof errors.JOSEError) {
    return invalid(
      `Invalid JWKS response body from '${url}'. The response is not valid JSON or doesn't match the expected JWKS format (${error.message}).`,
    );
  }
  return jwksUnavailable(url, errorMessage(error));
}

function jwksUnavailable(url: string, reason: string): TokenVerificationError {
  return invalid(
    `Could not fetch JWKS from URL '${displayUrl(url)}': ${reason}. Check that the URL is correct and accessible.`,
  );
}

/** Fetches `${issuer}/.well-known/openid-configuration` and returns its jwks_uri, as Convex does. */
async function discoverJwksUri(
  fetchImpl: typeof fetch,
  issuer: string,
): Promise<string> {
  const fail = (reason: string): TokenVerificationError =>
    new TokenVerificationError(
      "AuthProviderDiscoveryFailed",
      `Auth provider discovery of ${issuer} failed: ${reason}`,
    );
  if (!/^https?:\/\//.test(issuer))
    throw fail("the issuer is not an http(s) URL");
  let response: Response;
  try {
    response = await fetchImpl(
      `${trimSlashes(issuer)}/.well-known/openid-configuration`,
      {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      },
    );
  } catch (error) {
    throw fail(fetchFailure(error));
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    throw fail("the discovery document is not JSON");
  }
  if (!isRecord(document) || document.issuer !== issuer) {
    throw fail("the discovery document's issuer is not the token's issuer");
  }
  const jwksUri = document.jwks_uri;
  if (
    typeof jwksUri !== "string" ||
    !/^https?:\/\//.test(jwksUri) ||
    !URL.canParse(jwksUri)
  ) {
    throw fail("the discovery document has no http(s) jwks_uri");
  }
  return jwksUri;
}

function fetchFailure(error: unknown): string {
  if (
    error instanceof Error &&
    (error.name === "TimeoutError" || error.name === "AbortError")
  ) {
    return "timed out";
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code =
    isRecord(cause) && typeof cause.code === "string" ? ` (${cause.code})` : "";
  return `${errorMessage(error)}${code}`;
}

function displayUrl(url: string): string {
  return url.startsWith("data:") ? `${url.slice(0, 32)}…` : url;
}

// ---------------------------------------------------------------------------
// Verification failures

function describeVerifyError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  if (error instanceof errors.JWTExpired) {
    return invalid(
      `Could not validate token: the token expired at ${isoTime(error.payload.exp)}.`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") {
      return invalid(`Missing '${error.claim}' claim in JWT payload.`);
    }
    if (error.claim === "nbf") {
      return invalid(
        `Could not validate token: the token is not valid before ${isoTime(error.payload.nbf)}.`,
      );
    }
    return invalid(`Could not validate token: ${error.message}.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid(
      "Could not decode token: the JWT signature is invalid for the provider's key.",
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return invalid(
      "Could not decode token: the JWT's 'alg' is not allowed for this provider.",
    );
  }
  return invalid(`Could not verify token: ${errorMessage(error)}.`);
}

function isoTime(seconds: unknown): string {
  return typeof seconds === "number"
    ? new Date(seconds * 1000).toISOString()
    : "an invalid time";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------
// Claims -> UserIdentity (keybroker UserIdentity::from_custom_jwt / from_token)

/** Claims a custom JWT carries as registered claims (biscuit), never as attributes. */
const REGISTERED_CLAIMS = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
]);

/**
 * Custom JWTs: every non-registered claim is an attribute under its own name
 * (no OIDC renaming), nested objects flattened to "a.b" keys; `fva` is dropped
 * because it changes on every refresh.
 */
function customJwtIdentity(payload: JWTPayload): UserCaller {
  const claims: Record<string, JSONValue> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!REGISTERED_CLAIMS.has(key)) flattenInto(claims, key, value);
  }
  delete claims.fva;
  return userCaller(payload, claims);
}

function flattenInto(
  target: Record<string, JSONValue>,
  key: string,
  value: unknown,
): void {
  if (isRecord(value)) {
    for (const [nested, inner] of Object.entries(value))
      flattenInto(target, `${key}.${nested}`, inner);
  } else {
    target[key] = toJson(value);
  }
}

const OIDC_STRING_CLAIMS: ReadonlyArray<
  readonly [claim: string, field: string]
> = [
  ["name", "name"],
  ["given_name", "givenName"],
  ["family_name", "familyName"],
  ["nickname", "nickname"],
  ["preferred_username", "preferredUsername"],
  ["profile", "profileUrl"],
  ["picture", "pictureUrl"],
  ["website", "websiteUrl"],
  ["email", "email"],
  ["gender", "gender"],
  ["birthdate", "birthday"],
  ["zoneinfo", "timezone"],
  ["locale", "language"],
  ["phone_number", "phoneNumber"],
];
const OIDC_BOOLEAN_CLAIMS: ReadonlyArray<
  readonly [claim: string, field: string]
> = [
  ["email_verified", "emailVerified"],
  ["phone_number_verified", "phoneNumberVerified"],
];
/** ID-token fields, standard claims and housekeeping claims that never become custom attributes. */
const OIDC_NOT_CUSTOM = new Set([
  ...[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
  ],
  ...OIDC_STRING_CLAIMS.map(([claim]) => claim),
  ...OIDC_BOOLEAN_CLAIMS.map(([claim]) => claim),
  ...["address", "updated_at", "jti", "nbf", "fva"],
]);

/** OIDC tokens: standard claims renamed to UserIdentity's fields, other claims kept as they are. */
function oidcIdentity(payload: JWTPayload): UserCaller {
  const claims: Record<string, JSONValue> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (!OIDC_NOT_CUSTOM.has(key)) claims[key] = toJson(value);
  }
  for (const [claim, field] of OIDC_STRING_CLAIMS) {
    const value = payload[claim];
    if (typeof value === "string") claims[field] = value;
  }
  for (const [claim, field] of OIDC_BOOLEAN_CLAIMS) {
    const value = payload[claim];
    if (typeof value === "boolean") claims[field] = value;
  }
  const address = payload.address;
  if (isRecord(address) && typeof address.formatted === "string")
    claims.address = address.formatted;
  const updatedAt =
    typeof payload.updated_at === "number"
      ? rfc3339(payload.updated_at)
      : undefined;
  if (updatedAt !== undefined) claims.updatedAt = updatedAt;
  return userCaller(payload, claims);
}

/** Seconds since the epoch as chrono's to_rfc3339 prints them: "2024-01-02T03:04:05+00:00". */
function rfc3339(seconds: number): string | undefined {
  const millis = Math.round(seconds * 1000);
  const date = new Date(millis);
  if (
    !Number.isFinite(date.getTime()) ||
    date.getUTCFullYear() < 0 ||
    date.getUTCFullYear() > 9999
  ) {
    return undefined;
  }
  const iso = date.toISOString();
  return `${iso.slice(0, 19)}${millis % 1000 === 0 ? "" : iso.slice(19, 23)}+00:00`;
}

/** issuer, subject and tokenIdentifier come from the token and cannot be overridden by claims. */
function userCaller(
  payload: JWTPayload,
  claims: Record<string, JSONValue>,
): UserCaller {
  const { iss, sub } = payload;
  if (typeof iss !== "string" || typeof sub !== "string") {
    throw invalid("The JWT's 'iss' and 'sub' claims must be strings.");
  }
  const attributes: Record<string, JSONValue> = {
    ...claims,
    issuer: iss,
    subject: sub,
  };
  delete attributes.tokenIdentifier;
  return { kind: "user", tokenIdentifier: `${iss}|${sub}`, attributes };
}

function toJson(value: unknown): JSONValue {
  if (value === null || typeof value === "string" || typeof value === "boolean")
    return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, toJson(inner)]),
    );
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
