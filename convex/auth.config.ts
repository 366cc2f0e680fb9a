/**
 * The deployment is its own token issuer: it signs JWTs for users and agents
 * (model/secrets.ts) and serves the public keys from its HTTP actions
 * (http.ts). Convex cloud, self-hosted Convex and the local backend all set
 * CONVEX_SITE_URL, so this one file works on each of them.
 */
import { env } from "./_generated/server";
import type { AuthConfig } from "convex/server";

export default {
  providers: [
    {
      type: "customJwt",
      applicationID: "switchboard",
      issuer: env.CONVEX_SITE_URL,
      jwks: `${env.CONVEX_SITE_URL}/.well-known/jwks.json`,
      algorithm: "RS256",
    },
  ],
} satisfies AuthConfig;
