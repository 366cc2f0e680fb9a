/**
 * The providers in convex/auth.config.ts (crates/common/src/auth.rs). Parsed
 * once, when the verifier is built, so a broken config fails at startup or
 * push with the field named rather than on the first signed-in request.
 */

export type OidcProvider = {
  kind: "oidc";
  domain: string;
  applicationID: string;
};
export type CustomJwtProvider = {
  kind: "customJwt";
  issuer: string;
  jwks: string;
  algorithm: "RS256" | "ES256";
  applicationID: string | undefined;
};
export type Provider = OidcProvider | CustomJwtProvider;

/** Validates and normalizes the default export of auth.config.ts; a missing export means no providers. */
export function parseAuthConfig(authConfig: unknown): Provider[] {
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

/** The config, token payloads and fetched documents all arrive as untyped JSON. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
