/**
 * The second harness for the shared test bodies in test/convex/: the same
 * `Backend` interface as convex-test, served by the real local backend
 * (engine + SQLite store + HTTP/WebSocket servers) and called through the
 * official ConvexHttpClient with real signed JWTs. Only `t.run` and the
 * scheduler controls reach into the engine directly, as convex-test's do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import {
  getFunctionName,
  type FunctionReference,
  type UserIdentity,
} from "convex/server";
import { jsonToConvex } from "convex/values";
import { importPKCS8, SignJWT } from "jose";
import { onTestFinished, vi } from "vitest";
import { LocalEngine } from "../../../local-backend/engine/engine";
import { openStore } from "../../../local-backend/engine/store";
import {
  startServers,
  type RunningServers,
} from "../../../local-backend/server/listen";
import { generateSigningKeyEnv } from "../../../local-backend/switchboardApp";

/** The site URL functions see (convex-test's tests use it as the JWT issuer). */
const FIXED_SITE_URL = "http://127.0.0.1:3211";
const ROOT = resolve(__dirname, "../../..");

type Instance = {
  engine: LocalEngine;
  servers: RunningServers;
  adminKey: string;
  env: Record<string, string>;
  dir: string;
};

type AnyReference = FunctionReference<
  "query" | "mutation" | "action",
  "public" | "internal"
>;

async function signingEnv(): Promise<Record<string, string>> {
  // Tests may install their own key (configureSigningKey); otherwise make one.
  if (
    process.env.SWITCHBOARD_JWT_PRIVATE_KEY === undefined ||
    process.env.SWITCHBOARD_JWKS === undefined
  ) {
    Object.assign(process.env, await generateSigningKeyEnv("harness-key"));
  }
  return {
    SWITCHBOARD_JWT_PRIVATE_KEY: process.env.SWITCHBOARD_JWT_PRIVATE_KEY!,
    SWITCHBOARD_JWT_KEY_ID: process.env.SWITCHBOARD_JWT_KEY_ID ?? "harness-key",
    SWITCHBOARD_JWKS: process.env.SWITCHBOARD_JWKS!,
  };
}

async function startInstance(): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), "sb-harness-"));
  const adminKey = `harness|${Math.random().toString(36).slice(2)}`;
  let siteUrl = FIXED_SITE_URL;
  const env = {
    ...(await signingEnv()),
    CONVEX_SITE_URL: FIXED_SITE_URL,
    CONVEX_CLOUD_URL: "http://127.0.0.1",
  };
  const engine = await LocalEngine.open({
    convexDir: join(ROOT, "convex"),
    store: openStore(join(dir, "convex.sqlite3")),
    env,
    adminKey,
    extraModules: { __harness: join(__dirname, "harnessModule.ts") },
    runScheduler: false,
    // Functions believe they live at FIXED_SITE_URL; token checks fetch the JWKS from the real one.
    authFetch: (input, init) =>
      fetch(
        String(input instanceof Request ? input.url : input).replace(
          FIXED_SITE_URL,
          siteUrl,
        ),
        init,
      ),
  });
  const servers = await startServers(engine, { log: () => undefined });
  siteUrl = servers.siteUrl;
  return { engine, servers, adminKey, env, dir };
}

class HarnessView {
  private client: Promise<ConvexHttpClient> | null = null;

  constructor(
    private readonly instance: Promise<Instance>,
    private readonly identity: Partial<UserIdentity> | null,
  ) {}

  private async clientFor(reference: AnyReference): Promise<ConvexHttpClient> {
    const instance = await this.instance;
    const internal =
      instance.engine.serverFunction(getFunctionName(reference))?.visibility ===
      "internal";
    if (internal) {
      // Internal functions answer only to the admin key, as with `npx convex run`.
      const admin = new ConvexHttpClient(instance.servers.url, {
        skipConvexDeploymentUrlCheck: true,
        logger: false,
      });
      // setAdminAuth is marked internal in convex's types; the Convex CLI calls it the same way.
      (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(
        instance.adminKey,
      );
      return admin;
    }
    this.client ??= this.makeClient(instance);
    return await this.client;
  }

  private async makeClient(instance: Instance): Promise<ConvexHttpClient> {
    const client = new ConvexHttpClient(instance.servers.url, {
      skipConvexDeploymentUrlCheck: true,
      logger: false,
    });
    if (this.identity !== null) client.setAuth(await this.sign(instance));
    return client;
  }

  /** A JWT as the deployment itself would sign it, carrying the identity's claims. */
  private async sign(instance: Instance): Promise<string> {
    const identity: Record<string, unknown> = { ...this.identity };
    const subject =
      typeof identity.subject === "string" ? identity.subject : "anonymous";
    // The token's own iss/sub stand for these; tokenIdentifier is derived by the backend.
    const claims = Object.fromEntries(
      Object.entries(identity).filter(
        ([name]) => !["subject", "issuer", "tokenIdentifier"].includes(name),
      ),
    );
    const key = await importPKCS8(
      instance.env.SWITCHBOARD_JWT_PRIVATE_KEY!.replace(/\\n/g, "\n"),
      "RS256",
    );
    return await new SignJWT(claims)
      .setProtectedHeader({
        alg: "RS256",
        kid: instance.env.SWITCHBOARD_JWT_KEY_ID!,
        typ: "JWT",
      })
      .setSubject(subject)
      .setIssuer(FIXED_SITE_URL)
      .setAudience("switchboard")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
  }

  query = async (
    reference: AnyReference,
    args: Record<string, unknown> = {},
  ): Promise<unknown> => {
    const client = await this.clientFor(reference);
    const result: unknown = await client.query(
      reference as FunctionReference<"query">,
      args,
    );
    return result;
  };

  mutation = async (
    reference: AnyReference,
    args: Record<string, unknown> = {},
  ): Promise<unknown> => {
    const client = await this.clientFor(reference);
    const result: unknown = await client.mutation(
      reference as FunctionReference<"mutation">,
      args,
    );
    return result;
  };

  action = async (
    reference: AnyReference,
    args: Record<string, unknown> = {},
  ): Promise<unknown> => {
    const client = await this.clientFor(reference);
    const result: unknown = await client.action(
      reference as FunctionReference<"action">,
      args,
    );
    return result;
  };

  run = async (closure: (ctx: unknown) => Promise<unknown>) => {
    const instance = await this.instance;
    const registry = ((
      globalThis as { __switchboardHarness?: Map<string, unknown> }
    ).__switchboardHarness ??= new Map<string, unknown>());
    const key = Math.random().toString(36).slice(2);
    registry.set(key, closure);
    const result = await instance.engine.adminCall(
      "mutation",
      "__harness:run",
      { key },
    );
    return jsonToConvex(result);
  };

  fetch = async (path: string, init?: RequestInit) => {
    const instance = await this.instance;
    return await fetch(`${instance.servers.siteUrl}${path}`, init);
  };

  withIdentity = (identity: Partial<UserIdentity>) =>
    new HarnessView(this.instance, identity);

  /** Sets (or with undefined, removes) a deployment environment variable, as `npx convex env set` does. */
  setEnv = async (name: string, value: string | undefined) => {
    const { env } = await this.instance;
    if (value === undefined) delete env[name];
    else env[name] = value;
  };

  finishInProgressScheduledFunctions = async () => {
    await (await this.instance).engine.scheduler.idle();
  };

  /**
   * Like convex-test, where every scheduled job is a fake timer (a cancelled
   * one still fires, and finds itself cancelled): move the clock to each job's
   * time in turn and run what is due, until no job lies ahead.
   */
  finishAllScheduledFunctions = async (
    advanceTimers: () => void,
    maxIterations = 100,
  ) => {
    const { scheduler } = (await this.instance).engine;
    for (let i = 0; i < maxIterations; i++) {
      advanceTimers();
      await scheduler.idle();
      const jobs = (await this.run(async (ctx) => {
        const { db } = ctx as {
          db: {
            system: { query(table: string): { collect(): Promise<unknown[]> } };
          };
        };
        return await db.system.query("_scheduled_functions").collect();
      })) as { scheduledTime: number; state: { kind: string } }[];
      const ahead = jobs.filter(
        (job) =>
          job.state.kind === "pending" ||
          (job.state.kind === "canceled" && job.scheduledTime > Date.now()),
      );
      if (ahead.length === 0) return;
      const next = Math.min(...ahead.map((job) => job.scheduledTime));
      if (next > Date.now()) vi.setSystemTime(next);
      await scheduler.runDue();
    }
    throw new Error(
      `finishAllScheduledFunctions: still pending after ${maxIterations} rounds.`,
    );
  };
}

/** A fresh local backend for one test, closed when the test finishes. */
export function newLocalBackend(): HarnessView {
  const instance = startInstance();
  try {
    onTestFinished(async () => {
      const { servers, engine, dir } = await instance;
      await servers.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });
  } catch {
    // Created outside a test (a describe block): left to process exit.
  }
  return new HarnessView(instance, null);
}
