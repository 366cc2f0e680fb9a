/**
 * Where verification keys come from: JWKS URLs (fetched by jose through the
 * injected fetch, with Convex's response checks), JWKS inlined as data: URLs,
 * and OIDC discovery of an issuer's jwks_uri. Fetch failures become
 * TokenVerificationErrors that name the URL, since jose's do not.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FetchImplementation,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import { isRecord } from "./config";
import { errorMessage, invalid, TokenVerificationError } from "./errors";
import { trimSlashes } from "./routing";

const FETCH_TIMEOUT_MS = 5_000;
const DISCOVERY_MAX_AGE_MS = 10 * 60_000;

/** One verifier's fetched key sets and discovered jwks_uris. */
export class KeyCache {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();
  private readonly discoveries = new Map<
    string,
    { at: number; jwksUri: Promise<string> }
  >();

  constructor(private readonly fetchImpl: typeof fetch) {}

  /** One key set per URL, shared by providers; jose's remote set caches and refetches on unknown kids. */
  keysFor(url: string): JWTVerifyGetKey {
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
  discover(issuer: string): Promise<string> {
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
