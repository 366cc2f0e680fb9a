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
    /** Native agents' model access (convex/nativeAgents.ts); unset fails their steps. */
    ANTHROPIC_API_KEY: v.optional(v.string()),
    /** Another Messages API endpoint (a proxy, or the scripted model in tests). */
    ANTHROPIC_BASE_URL: v.optional(v.string()),
    /** The model native agents call; a default is used when unset. */
    SWITCHBOARD_NATIVE_MODEL: v.optional(v.string()),
    /** "<input>,<output>" USD per million tokens, for a model the price table lacks. */
    SWITCHBOARD_NATIVE_PRICE: v.optional(v.string()),
  },
});

export default app;
