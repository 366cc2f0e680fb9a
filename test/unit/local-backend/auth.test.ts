/**
 * JWT verification against auth.config.ts, as the real Convex backend does it.
 * A local HTTP server plays the deployment's site (JWKS) and an OIDC provider
 * (discovery + JWKS); the happy path uses the project's own auth.config.ts,
 * key script and token signer, so a drift between them fails here.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
  exportJWK,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type JWTPayload,
} from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createTokenVerifier,
  MAX_TOKEN_LENGTH,
  TokenVerificationError,
  type TokenVerifier,
  type TokenVerifierOptions,
} from "../../../local-backend/engine/auth";
import { signAccessToken } from "../../../convex/model/secrets";
import { generateSigningKeyEnv } from "../../../local-backend/switchboardApp";

const KID = "switchboard-test";
const OIDC_KID = "oidc-1";
const OIDC_APP = "oidc-app";
const NOW_S = Math.floor(Date.now() / 1000);
const ENV_KEYS = [
  "CONVEX_SITE_URL",
  "SWITCHBOARD_JWT_PRIVATE_KEY",
  "SWITCHBOARD_JWT_KEY_ID",
  "SWITCHBOARD_JWKS",
] as const;

// --- a tiny site server ---------------------------------------------------------------

type Route = { status?: number; contentType?: string; body: string };
const routes = new Map<string, Route>();

function handle(request: IncomingMessage, response: ServerResponse): void {
  const route = routes.get(request.url ?? "");
  if (route === undefined) {
    response.writeHead(404).end();
    return;
  }
  response
    .writeHead(route.status ?? 200, {
      "content-type": route.contentType ?? "application/json",
    })
    .end(route.body);
}

async function listen(port: number): Promise<Server> {
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// --- fixtures -------------------------------------------------------------------------

let server: Server;
let site: string;
let siteKey: CryptoKey;
let siteJwks: string;
let oidcKey: CryptoKey;
let otherRsaKey: CryptoKey;
let ecKey: CryptoKey;
let projectAuthConfig: unknown;
const savedEnv = new Map<string, string | undefined>();

beforeAll(async () => {
  server = await listen(0);
  site = urlOf(server);
  const keys = await generateSigningKeyEnv(KID);
  for (const key of ENV_KEYS) savedEnv.set(key, process.env[key]);
  Object.assign(process.env, keys, { CONVEX_SITE_URL: site });
  siteKey = await importPKCS8(
    keys.SWITCHBOARD_JWT_PRIVATE_KEY.replace(/\\n/g, "\n"),
    "RS256",
  );
  siteJwks = keys.SWITCHBOARD_JWKS;
  // Served like convex/http.ts serves it.
  routes.set("/.well-known/jwks.json", { body: siteJwks });

  const oidc = await generateKeyPair("RS256", { extractable: true });
  oidcKey = oidc.privateKey;
  const oidcJwk = {
    ...(await exportJWK(oidc.publicKey)),
    kid: OIDC_KID,
    alg: "RS256",
  };
  routes.set("/oidc/.well-known/openid-configuration", {
    body: JSON.stringify({
      issuer: `${site}/oidc`,
      jwks_uri: `${site}/oidc/jwks`,
    }),
  });
  routes.set("/oidc/jwks", { body: JSON.stringify({ keys: [oidcJwk] }) });
  routes.set("/liar/.well-known/openid-configuration", {
    body: JSON.stringify({
      issuer: "https://elsewhere.example",
      jwks_uri: `${site}/oidc/jwks`,
    }),
  });

  otherRsaKey = (await generateKeyPair("RS256")).privateKey;
  ecKey = (await generateKeyPair("ES256")).privateKey;
  // auth.config.ts reads CONVEX_SITE_URL when it is evaluated, hence the late import.
  projectAuthConfig = (await import("../../../convex/auth.config")).default;
});

afterAll(async () => {
  for (const [key, value] of savedEnv) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await close(server);
});

type SignOptions = {
  key?: CryptoKey;
  alg?: string;
  kid?: string | null;
  iss?: string | null;
  aud?: string | string[] | null;
  sub?: string | null;
  exp?: number | null;
  claims?: JWTPayload;
};

/** A token like the deployment signs; `null` leaves a field out. */
async function sign(options: SignOptions = {}): Promise<string> {
  const payload: JWTPayload = { iat: NOW_S, ...options.claims };
  const fields = {
    iss: options.iss === undefined ? site : options.iss,
    aud: options.aud === undefined ? "switchboard" : options.aud,
    sub: options.sub === undefined ? "users:alice" : options.sub,
    exp: options.exp === undefined ? NOW_S + 3600 : options.exp,
  };
  for (const [name, value] of Object.entries(fields))
    if (value !== null) payload[name] = value;
  const kid = options.kid === undefined ? KID : options.kid;
  return await new SignJWT(payload)
    .setProtectedHeader({
      alg: options.alg ?? "RS256",
      typ: "JWT",
      ...(kid === null ? {} : { kid }),
    })
    .sign(options.key ?? siteKey);
}

function customJwtConfig(jwks: string, issuer = site): unknown {
  return {
    providers: [
      {
        type: "customJwt",
        applicationID: "switchboard",
        issuer,
        jwks,
        algorithm: "RS256",
      },
    ],
  };
}

function oidcConfig(domain = `${site}/oidc/`): unknown {
  return { providers: [{ domain, applicationID: OIDC_APP }] };
}

function projectVerifier(options?: TokenVerifierOptions): TokenVerifier {
  return createTokenVerifier(projectAuthConfig, options);
}

/** The refusal, checked to be ours and to quote no part of the token. */
async function refusal(
  verifier: TokenVerifier,
  token: string,
): Promise<TokenVerificationError> {
  const error: unknown = await verifier.verify(token).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TokenVerificationError)) {
    throw new Error(`expected a TokenVerificationError, got ${String(error)}`);
  }
  for (const part of token.split(".")) {
    if (part.length > 20) expect(error.message).not.toContain(part);
  }
  return error;
}

// --- tests ----------------------------------------------------------------------------

describe("custom JWT provider (the project's auth.config.ts)", () => {
  test("accepts a token from convex/model/secrets.ts with Convex's identity", async () => {
    const { token } = await signAccessToken("users:alice", "tok_123");
    await expect(projectVerifier().verify(token)).resolves.toEqual({
      kind: "user",
      tokenIdentifier: `${site}|users:alice`,
      attributes: { issuer: site, subject: "users:alice", tid: "tok_123" },
    });
  });

  test("passes other claims through by name, flattening objects and dropping fva", async () => {
    const token = await sign({
      claims: {
        tid: "tok_1",
        given_name: "Ada",
        email: "ada@example.com",
        roles: ["admin", "member"],
        properties: { id: "123", color: { name: "red" } },
        nothing: null,
        fva: [1, 2],
        jti: "j1",
        nbf: NOW_S - 10,
      },
    });
    const identity = await projectVerifier().verify(token);
    expect(identity.attributes).toEqual({
      issuer: site,
      subject: "users:alice",
      tid: "tok_1",
      given_name: "Ada",
      email: "ada@example.com",
      roles: ["admin", "member"],
      "properties.id": "123",
      "properties.color.name": "red",
      nothing: null,
    });
  });

  test("claims cannot override issuer, subject or tokenIdentifier", async () => {
    const token = await sign({
      claims: {
        issuer: "https://evil.example",
        subject: "root",
        tokenIdentifier: "x|root",
      },
    });
    const identity = await projectVerifier().verify(token);
    expect(identity.tokenIdentifier).toBe(`${site}|users:alice`);
    expect(identity.attributes).toEqual({
      issuer: site,
      subject: "users:alice",
    });
  });

  test("tolerates a trailing slash on the issuer, keeping the token's iss verbatim", async () => {
    const identity = await projectVerifier().verify(
      await sign({ iss: `${site}/` }),
    );
    expect(identity.tokenIdentifier).toBe(`${site}/|users:alice`);
  });

  test("refuses a wrong issuer, naming what was expected and what was seen", async () => {
    const error = await refusal(
      projectVerifier(),
      await sign({ iss: "https://evil.example" }),
    );
    expect(error.code).toBe("NoAuthProvider");
    expect(error.message).toContain(
      "No auth provider found matching the given token",
    );
    expect(error.message).toContain(
      `CustomJWT(issuer=${site}, app_id=switchboard)`,
    );
    expect(error.message).toContain('iss="https://evil.example"');
  });

  test("refuses a wrong or missing audience", async () => {
    const wrong = await refusal(
      projectVerifier(),
      await sign({ aud: "someone-else" }),
    );
    expect(wrong.code).toBe("NoAuthProvider");
    expect(wrong.message).toContain('aud=["someone-else"]');
    const missing = await refusal(projectVerifier(), await sign({ aud: null }));
    expect(missing.message).toContain("aud=[]");
  });

  test("refuses a token signed with another algorithm", async () => {
    const error = await refusal(
      projectVerifier(),
      await sign({ alg: "ES256", key: ecKey }),
    );
    expect(error.message).toMatch(/signed with 'ES256'.*expects 'RS256'/);
  });

  test("refuses a bad signature and a tampered payload", async () => {
    const forged = await refusal(
      projectVerifier(),
      await sign({ key: otherRsaKey }),
    );
    expect(forged.message).toMatch(/signature is invalid/);

    const [header, , signature] = (await sign()).split(".");
    const payload = Buffer.from(
      JSON.stringify({
        iss: site,
        aud: "switchboard",
        sub: "users:root",
        exp: NOW_S + 60,
      }),
    );
    const tampered = [header, payload.toString("base64url"), signature].join(
      ".",
    );
    expect((await refusal(projectVerifier(), tampered)).message).toMatch(
      /signature is invalid/,
    );
  });

  test("refuses an unknown or missing kid", async () => {
    const unknown = await refusal(
      projectVerifier(),
      await sign({ kid: "rotated-away" }),
    );
    expect(unknown.message).toContain(
      "'kid' (key ID) header is 'rotated-away'",
    );
    const missing = await refusal(projectVerifier(), await sign({ kid: null }));
    expect(missing.message).toMatch(/missing a 'kid'/);
  });

  test("refuses expired and not-yet-valid tokens, with Convex's 5 s leeway", async () => {
    const verifier = projectVerifier({ now: () => NOW_S * 1000 });
    const expired = await refusal(verifier, await sign({ exp: NOW_S - 60 }));
    expect(expired.message).toMatch(/expired at/);
    await expect(
      verifier.verify(await sign({ exp: NOW_S - 2 })),
    ).resolves.toMatchObject({ kind: "user" });
    const early = await refusal(
      verifier,
      await sign({ claims: { nbf: NOW_S + 60 } }),
    );
    expect(early.message).toMatch(/not valid before/);
  });

  test("reuses a verified token until its exp, never beyond", async () => {
    let now = NOW_S * 1000;
    const verifier = projectVerifier({ now: () => now });
    const token = await sign({ exp: NOW_S + 30 });
    const first = await verifier.verify(token);
    // A cache hit hands back the very identity object the check produced.
    expect(await verifier.verify(token)).toBe(first);
    // Past exp (inside the 5 s leeway): checked again, not served from the cache.
    now = (NOW_S + 31) * 1000;
    const again = await verifier.verify(token);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    now = (NOW_S + 40) * 1000;
    expect((await refusal(verifier, token)).message).toMatch(/expired at/);
  });

  test("refuses tokens without sub or exp", async () => {
    expect(
      (await refusal(projectVerifier(), await sign({ sub: null }))).message,
    ).toMatch(/Missing 'sub' claim/);
    expect(
      (await refusal(projectVerifier(), await sign({ exp: null }))).message,
    ).toMatch(/Missing 'exp' claim/);
  });

  test("refuses malformed and oversized tokens without crashing", async () => {
    const verifier = projectVerifier();
    const notJson = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from("not json").toString("base64url")}.sig`;
    for (const token of [
      "",
      "abc",
      "a.b.c",
      "x.y",
      notJson,
      `${await sign()}.extra.parts`,
    ]) {
      const error = await refusal(verifier, token);
      expect(error.code).toBe("InvalidAuthHeader");
      expect(error.message).toMatch(/Could not parse JWT payload/);
    }
    const huge = await refusal(
      verifier,
      await sign({ claims: { blob: "A".repeat(MAX_TOKEN_LENGTH) } }),
    );
    expect(huge.message).toMatch(/at most 16384 characters/);
    await expect(verifier.verify(42 as unknown as string)).rejects.toThrow(
      /must be a JWT string/,
    );
  });
});

describe("OIDC provider", () => {
  test("maps standard claims to UserIdentity fields and keeps other claims", async () => {
    const token = await sign({
      key: oidcKey,
      kid: OIDC_KID,
      iss: `${site}/oidc`,
      aud: OIDC_APP,
      sub: "oidc|42",
      claims: {
        name: "Ada Lovelace",
        given_name: "Ada",
        family_name: "Lovelace",
        nickname: "ada",
        preferred_username: "ada.l",
        profile: "https://example.com/ada",
        picture: "https://example.com/ada.png",
        website: "https://ada.example",
        email: "ada@example.com",
        email_verified: true,
        gender: "female",
        birthdate: "1815-12-10",
        zoneinfo: "Europe/London",
        locale: "en-GB",
        phone_number: "+44 20 0000 0000",
        phone_number_verified: false,
        address: { formatted: "12 St James's Square, London", country: "UK" },
        updated_at: 1700000000,
        org: { id: "org_1", role: "admin" },
        tid: "tok_9",
        azp: "https://app.example",
        nonce: "n",
        auth_time: NOW_S,
        jti: "j",
        nbf: NOW_S - 5,
      },
    });
    await expect(
      createTokenVerifier(oidcConfig()).verify(token),
    ).resolves.toEqual({
      kind: "user",
      tokenIdentifier: `${site}/oidc|oidc|42`,
      attributes: {
        issuer: `${site}/oidc`,
        subject: "oidc|42",
        name: "Ada Lovelace",
        givenName: "Ada",
        familyName: "Lovelace",
        nickname: "ada",
        preferredUsername: "ada.l",
        profileUrl: "https://example.com/ada",
        pictureUrl: "https://example.com/ada.png",
        websiteUrl: "https://ada.example",
        email: "ada@example.com",
        emailVerified: true,
        gender: "female",
        birthday: "1815-12-10",
        timezone: "Europe/London",
        language: "en-GB",
        phoneNumber: "+44 20 0000 0000",
        phoneNumberVerified: false,
        address: "12 St James's Square, London",
        updatedAt: "2023-11-14T22:13:20+00:00",
        org: { id: "org_1", role: "admin" },
        tid: "tok_9",
      },
    });
  });

  const oidcToken = (options: SignOptions = {}): Promise<string> =>
    sign({
      key: oidcKey,
      kid: OIDC_KID,
      iss: `${site}/oidc`,
      aud: OIDC_APP,
      ...options,
    });

  test("refuses a wrong audience, a second audience and a wrong issuer", async () => {
    const verifier = createTokenVerifier(oidcConfig());
    const wrong = await refusal(
      verifier,
      await oidcToken({ aud: "switchboard" }),
    );
    expect(wrong.code).toBe("NoAuthProvider");
    expect(wrong.message).toContain(
      `OIDC(domain=${site}/oidc/, app_id=${OIDC_APP})`,
    );
    const two = await refusal(
      verifier,
      await oidcToken({ aud: [OIDC_APP, "other"] }),
    );
    expect(two.message).toMatch(/Invalid audience/);
    const issuer = await refusal(
      verifier,
      await oidcToken({ iss: `${site}/not-oidc` }),
    );
    expect(issuer.code).toBe("NoAuthProvider");
  });

  test("refuses expired tokens with no leeway, and algorithms other than RS256/EdDSA", async () => {
    const verifier = createTokenVerifier(oidcConfig(), {
      now: () => NOW_S * 1000,
    });
    expect(
      (await refusal(verifier, await oidcToken({ exp: NOW_S - 1 }))).message,
    ).toMatch(/expired/);
    const es256 = await refusal(
      verifier,
      await oidcToken({ alg: "ES256", key: ecKey }),
    );
    expect(es256.message).toMatch(/must use RS256 or EdDSA/);
  });

  test("requires the discovery document to name the token's issuer", async () => {
    const verifier = createTokenVerifier(oidcConfig(`${site}/liar`));
    const error = await refusal(
      verifier,
      await oidcToken({ iss: `${site}/liar` }),
    );
    expect(error.code).toBe("AuthProviderDiscoveryFailed");
    expect(error.message).toContain(
      `Auth provider discovery of ${site}/liar failed`,
    );
  });

  test("adds https:// to a bare domain, and reports discovery failures", async () => {
    const fetchStub: typeof fetch = () =>
      Promise.resolve(new Response("nope", { status: 404 }));
    const verifier = createTokenVerifier(oidcConfig("auth.example.com"), {
      fetch: fetchStub,
    });
    const error = await refusal(
      verifier,
      await oidcToken({ iss: "https://auth.example.com" }),
    );
    expect(error.code).toBe("AuthProviderDiscoveryFailed");
    expect(error.message).toMatch(/HTTP 404/);
  });
});

describe("key sources", () => {
  test("accepts a JWKS inlined as a data: URL, base64 or percent-encoded", async () => {
    const base64 = `data:text/plain;charset=utf-8;base64,${Buffer.from(siteJwks).toString("base64")}`;
    const percent = `data:application/json,${encodeURIComponent(siteJwks)}`;
    for (const jwks of [base64, percent]) {
      const verifier = createTokenVerifier(customJwtConfig(jwks));
      await expect(verifier.verify(await sign())).resolves.toMatchObject({
        tokenIdentifier: `${site}|users:alice`,
      });
    }
    const broken = createTokenVerifier(
      customJwtConfig("data:application/json;base64,%%%"),
    );
    expect((await refusal(broken, await sign())).message).toMatch(
      /Invalid JWKS data URL/,
    );
  });

  test("fetches a JWKS once per URL and reuses it", async () => {
    const fetched: string[] = [];
    const counting: typeof fetch = (input, init) => {
      fetched.push(input instanceof Request ? input.url : input.toString());
      return fetch(input, init);
    };
    const verifier = projectVerifier({ fetch: counting });
    await verifier.verify(await sign());
    await verifier.verify(await sign({ sub: "users:bob" }));
    expect(fetched).toEqual([`${site}/.well-known/jwks.json`]);
  });

  test("reports a JWKS error response, and recovers once the JWKS is served", async () => {
    routes.set("/flaky/jwks.json", {
      status: 503,
      body: '{"error":"JWKS not configured"}',
    });
    const verifier = createTokenVerifier(
      customJwtConfig(`${site}/flaky/jwks.json`),
    );
    const error = await refusal(verifier, await sign());
    expect(error.message).toContain(
      `Could not fetch JWKS from URL '${site}/flaky/jwks.json': HTTP 503`,
    );
    routes.set("/flaky/jwks.json", { body: siteJwks });
    await expect(verifier.verify(await sign())).resolves.toMatchObject({
      kind: "user",
    });
  });

  test("refuses a JWKS with the wrong content type or body", async () => {
    routes.set("/text/jwks.json", {
      contentType: "text/plain",
      body: siteJwks,
    });
    routes.set("/junk/jwks.json", { body: '{"hello":"world"}' });
    const text = createTokenVerifier(customJwtConfig(`${site}/text/jwks.json`));
    expect((await refusal(text, await sign())).message).toMatch(
      /Invalid Content-Type 'text\/plain'/,
    );
    const junk = createTokenVerifier(customJwtConfig(`${site}/junk/jwks.json`));
    expect((await refusal(junk, await sign())).message).toMatch(
      /Invalid JWKS response body/,
    );
  });

  test("a verifier made before its JWKS server is up fails clearly, then works", async () => {
    const probe = await listen(0);
    const laterSite = urlOf(probe);
    await close(probe);
    const verifier = createTokenVerifier(
      customJwtConfig(`${laterSite}/.well-known/jwks.json`),
    );

    const down = await refusal(verifier, await sign());
    expect(down.message).toContain(
      `Could not fetch JWKS from URL '${laterSite}/.well-known/jwks.json'`,
    );
    expect(down.message).toMatch(/ECONNREFUSED/);

    const later = await listen(Number(new URL(laterSite).port));
    try {
      await expect(verifier.verify(await sign())).resolves.toMatchObject({
        kind: "user",
      });
    } finally {
      await close(later);
    }
  });
});

describe("auth config", () => {
  test("refuses every token when no providers are configured", async () => {
    for (const config of [undefined, null, { providers: [] }]) {
      const error = await refusal(createTokenVerifier(config), await sign());
      expect(error.code).toBe("NoAuthProvider");
      expect(error.message).toMatch(/^No auth providers configured/);
    }
  });

  test.each([
    [{ providers: {} }, /must be \{ providers/],
    [{ providers: ["x"] }, /providers\[0\] must be an object/],
    [
      {
        providers: [
          {
            type: "customJwt",
            jwks: "https://a.example/j",
            algorithm: "RS256",
          },
        ],
      },
      /issuer must be a non-empty string/,
    ],
    [
      {
        providers: [
          {
            type: "customJwt",
            issuer: "https://a.example",
            jwks: "https://a.example/j",
            algorithm: "HS256",
          },
        ],
      },
      /algorithm must be "RS256" or "ES256"/,
    ],
    [
      {
        providers: [
          {
            type: "customJwt",
            issuer: "https://a.example",
            jwks: "file:///j",
            algorithm: "RS256",
          },
        ],
      },
      /jwks "file:\/\/\/j" must be an http\(s\) or data: URL/,
    ],
    [
      {
        providers: [
          { type: "oidc", domain: "https://a.example", applicationID: "x" },
        ],
      },
      /type must be "customJwt"/,
    ],
    [
      { providers: [{ domain: "ftp://a.example", applicationID: "x" }] },
      /domain "ftp:\/\/a.example" must be an http\(s\) URL/,
    ],
    [
      { providers: [{ domain: "https://a.example" }] },
      /applicationID must be a non-empty string/,
    ],
  ])("rejects an invalid config %#", (config, message) => {
    expect(() => createTokenVerifier(config)).toThrow(message);
  });
});
