/**
 * Refused tokens: the error the verifier throws and the wording of jose's
 * failures. Messages follow crates/authentication/src/lib.rs so clients and
 * logs read the same as against Convex; none of them quotes the token.
 */
import { errors } from "jose";

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

export function invalid(message: string): TokenVerificationError {
  return new TokenVerificationError("InvalidAuthHeader", message);
}

export function describeVerifyError(error: unknown): TokenVerificationError {
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

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
