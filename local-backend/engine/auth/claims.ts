/**
 * Claims -> UserIdentity, as keybroker's UserIdentity::from_custom_jwt and
 * from_token build it (crates/keybroker/src/broker.rs), so ctx.auth returns
 * the same attributes here as on Convex.
 */
import type { JSONValue } from "convex/values";
import type { JWTPayload } from "jose";
import type { CallerIdentity } from "../types";
import { isRecord } from "./config";
import { invalid } from "./errors";

export type UserCaller = Extract<CallerIdentity, { kind: "user" }>;

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
export function customJwtIdentity(payload: JWTPayload): UserCaller {
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
export function oidcIdentity(payload: JWTPayload): UserCaller {
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
