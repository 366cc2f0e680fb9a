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
 *
 * This file is the verification flow; config.ts parses auth.config.ts,
 * routing.ts picks a token's provider, keys.ts fetches and caches keys,
 * claims.ts builds the identity and errors.ts words the refusals.
 */
import {
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from "jose";
import { customJwtIdentity, oidcIdentity, type UserCaller } from "./claims";
import {
  parseAuthConfig,
  type CustomJwtProvider,
  type OidcProvider,
  type Provider,
} from "./config";
import { describeVerifyError, invalid, TokenVerificationError } from "./errors";
import { KeyCache } from "./keys";
import {
  audienceList,
  checkOidcAudience,
  decodeToken,
  matchesToken,
  noProviderMessage,
} from "./routing";

export type { UserCaller } from "./claims";
export { TokenVerificationError, type AuthErrorCode } from "./errors";
export { MAX_TOKEN_LENGTH } from "./routing";

export type TokenVerifier = { verify(token: string): Promise<UserCaller> };
export type TokenVerifierOptions = { fetch?: typeof fetch; now?: () => number };

/** Convex (biscuit) allows 5 s of clock skew on custom JWTs, none on OIDC tokens. */
const CUSTOM_JWT_LEEWAY_SECONDS = 5;
/** What Convex's OIDC verifier accepts (set_allowed_algs). */
const OIDC_ALGORITHMS = ["RS256", "EdDSA"];
/**
 * A verified token is trusted again without a signature check for this long (never past
 * its `exp`): every HTTP API call carries its token, and an RSA check costs ~0.4 ms here.
 * Revocation does not depend on it: Switchboard's functions check the token's credential
 * row on every call. A key dropped from a JWKS stops being honoured within this time.
 */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_LIMIT = 1_000;

export function createTokenVerifier(
  authConfig: unknown,
  options: TokenVerifierOptions = {},
): TokenVerifier {
  return new Verifier(
    parseAuthConfig(authConfig),
    new KeyCache(options.fetch ?? fetch),
    options.now ?? Date.now,
  );
}

class Verifier implements TokenVerifier {
  private readonly verified = new Map<
    string,
    { caller: UserCaller; until: number }
  >();

  constructor(
    private readonly providers: readonly Provider[],
    private readonly keys: KeyCache,
    private readonly now: () => number,
  ) {}

  async verify(token: string): Promise<UserCaller> {
    const now = this.now();
    const hit = this.verified.get(token);
    if (hit !== undefined && now < hit.until) return hit.caller;
    this.verified.delete(token);
    const { caller, exp } = await this.verifyNow(token);
    if (typeof exp === "number") {
      if (this.verified.size >= VERIFIED_LIMIT) this.verified.clear();
      this.verified.set(token, {
        caller,
        until: Math.min(exp * 1000, now + VERIFIED_TTL_MS),
      });
    }
    return caller;
  }

  /** The check itself; `exp` comes back for the cache above. */
  private async verifyNow(
    token: string,
  ): Promise<{ caller: UserCaller; exp: number | undefined }> {
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
    const caller =
      provider.kind === "oidc"
        ? await this.verifyOidc(token, header, provider, issuer)
        : await this.verifyCustomJwt(token, header, provider);
    return { caller, exp: payload.exp };
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
      this.keys.keysFor(provider.jwks),
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
    const jwksUri = await this.keys.discover(issuer);
    const payload = await this.verifySignature(
      token,
      this.keys.keysFor(jwksUri),
      {
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: 0,
        requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
      },
    );
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
}
