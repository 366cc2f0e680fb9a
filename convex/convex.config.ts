/**
 * App config: declares the environment variables our functions read, so they
 * are typed on `env` from `_generated/server` and checked at deploy time.
 * All optional: a fresh deployment runs (and refuses token exchange with a
 * clear MISCONFIGURED error) until `npm run keys` output has been applied.
 */
import { defineApp } from "convex/server";
import { v } from "convex/values";

const app = defineApp({
  env: {
    SWITCHBOARD_JWT_PRIVATE_KEY: v.optional(v.string()),
    SWITCHBOARD_JWT_KEY_ID: v.optional(v.string()),
    SWITCHBOARD_JWKS: v.optional(v.string()),
    /** The secret GitHub signs webhook deliveries with (convex/githubWebhooks.ts). */
    GITHUB_WEBHOOK_SECRET: v.optional(v.string()),
  },
});

export default app;
