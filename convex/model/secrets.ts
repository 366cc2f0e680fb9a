/**
 * Credentials: random secrets shown once, stored only as SHA-256 hashes, and
 * the short-lived JWTs the deployment signs for them. Runs in actions and
 * HTTP actions (secrets need real randomness; mutations are deterministic).
 */
import { env } from "../_generated/server";
import { importPKCS8, SignJWT } from "jose";
import { fail } from "./errors";
import { TOKEN_ID_CLAIM } from "./principals";

export type CredentialKind = "user" | "agent";

const PREFIX: Record<CredentialKind, string> = { user: "sbu_", agent: "sba_" };

/** The audience our JWTs carry; `auth.config.ts` declares the same. */
export const JWT_APPLICATION_ID = "switchboard";
export const JWT_ALGORITHM = "RS256";
export const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

export function newSecret(kind: CredentialKind): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const base64url = btoa(binary)
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return PREFIX[kind] + base64url;
}

export function credentialKind(secret: string): CredentialKind | null {
  if (secret.startsWith(PREFIX.user)) return "user";
  if (secret.startsWith(PREFIX.agent)) return "agent";
  return null;
}

export async function hashSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(secret),
  );
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
}

/** Where this deployment's JWTs come from; also the JWKS host (see auth.config.ts). */
export function issuerUrl(): string {
  const site = env.CONVEX_SITE_URL;
  if (site === undefined || site === "") {
    fail("MISCONFIGURED", "CONVEX_SITE_URL is not set on this deployment.");
  }
  // Verbatim: auth.config.ts declares the same string as the issuer.
  return site;
}

function signingKey(): { pem: string; kid: string } {
  const pem = env.SWITCHBOARD_JWT_PRIVATE_KEY;
  const kid = env.SWITCHBOARD_JWT_KEY_ID ?? "switchboard-1";
  if (pem === undefined || pem === "") {
    fail(
      "MISCONFIGURED",
      "SWITCHBOARD_JWT_PRIVATE_KEY is not set: run `npm run keys` and set the variables it prints.",
    );
  }
  return { pem: pem.replace(/\\n/g, "\n"), kid };
}

export async function signAccessToken(
  subject: string,
  tokenId: string,
): Promise<{ token: string; expiresAt: number }> {
  const { pem, kid } = signingKey();
  const key = await importPKCS8(pem, JWT_ALGORITHM);
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAt = issuedAt + ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ [TOKEN_ID_CLAIM]: tokenId })
    .setProtectedHeader({ alg: JWT_ALGORITHM, kid, typ: "JWT" })
    .setSubject(subject)
    .setIssuer(issuerUrl())
    .setAudience(JWT_APPLICATION_ID)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt: expiresAt * 1000 };
}

/** The public half of the signing key, as the JWKS document served at /.well-known/jwks.json. */
export function publicJwks(): string {
  const jwks = env.SWITCHBOARD_JWKS;
  if (jwks === undefined || jwks === "") {
    fail("MISCONFIGURED", "SWITCHBOARD_JWKS is not set: run `npm run keys`.");
  }
  return jwks;
}
