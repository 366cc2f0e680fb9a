/**
 * HTTP actions: the JWKS our tokens are verified with, the exchange of a
 * long-lived secret (user or agent token) for a short-lived JWT, and GitHub's
 * webhook deliveries.
 */
import { httpRouter } from "convex/server";
import { internal } from "./_generated/api";
import { httpAction } from "./_generated/server";
import { receiveGithubWebhook } from "./githubWebhooks";
import { errorCode } from "./model/errors";
import {
  credentialKind,
  hashSecret,
  publicJwks,
  signAccessToken,
} from "./model/secrets";

const http = httpRouter();

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    },
  });
}

function jwksResponse(): Response {
  try {
    return new Response(publicJwks(), {
      status: 200,
      headers: {
        "content-type": "application/json",
        "cache-control": "public, max-age=300",
      },
    });
  } catch (error) {
    if (errorCode(error) === "MISCONFIGURED")
      return json(503, { error: "JWKS not configured" });
    throw error;
  }
}

http.route({
  path: "/.well-known/jwks.json",
  method: "GET",
  handler: httpAction(() => Promise.resolve(jwksResponse())),
});

http.route({
  path: "/auth/token",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    let secret: unknown;
    try {
      secret = ((await request.json()) as { token?: unknown }).token;
    } catch {
      return json(400, {
        error: 'Send JSON: {"token": "<sbu_… or sba_… secret>"}',
      });
    }
    const kind = typeof secret === "string" ? credentialKind(secret) : null;
    if (typeof secret !== "string" || kind === null || secret.length > 200) {
      return json(400, {
        error: "That is not a Switchboard token (sbu_… or sba_…).",
      });
    }
    const holder = await ctx.runMutation(internal.credentials.redeem, {
      kind,
      tokenHash: await hashSecret(secret),
    });
    if (holder === null)
      return json(401, { error: "Unknown or revoked token." });
    try {
      const signed = await signAccessToken(holder.subject, holder.tokenId);
      // Scopes tell a client (switchboard-mcp) which tools to offer without another call.
      return json(200, {
        ...signed,
        subject: holder.subject,
        kind,
        ...(holder.scopes === undefined ? {} : { scopes: holder.scopes }),
      });
    } catch (error) {
      if (errorCode(error) === "MISCONFIGURED") {
        return json(503, {
          error: "This deployment has no signing key; run `npm run keys`.",
        });
      }
      throw error;
    }
  }),
});

http.route({
  path: "/webhooks/github",
  method: "POST",
  handler: httpAction(receiveGithubWebhook),
});

export default http;
