/**
 * The engine: a loaded convex/ app over an in-memory database made durable by
 * the SQLite store. Implements the Engine contract (types.ts) the network
 * layer uses, and runs scheduled functions and crons.
 */
import { timingSafeEqual } from "node:crypto";
import type { JSONValue } from "convex/values";
import { createTokenVerifier, type TokenVerifier } from "./auth";
import { Catalog, tableNumbersFrom } from "./catalog";
import { Database } from "./database";
import { loadDocuments, rowsOf } from "./durability";
import { Executor, type MutationResult, type MutationWork } from "./executor";
import { withDeadline } from "./invoke";
import { LIMITS } from "./limits";
import {
  canonicalUdfPath,
  loadApp,
  type LoadedApp,
  type LoadedFunction,
} from "./modules";
import { isInvalidatedBy, WriteSetImpl, type DocumentWrite } from "./readSet";
import { QueryCache } from "./queryCache";
import { parseSchema } from "./schema";
import type { Store } from "./store";
import { installConvexGlobal, runInExecution, type UdfType } from "./syscalls";
import { Transaction } from "./transaction";
import { FunctionRunner } from "./runner";
import type {
  CallerIdentity,
  Commit,
  Engine,
  FunctionCall,
  FunctionOutcome,
  QueryOutcome,
  Timestamp,
} from "./types";
import { Scheduler } from "./scheduler";
import { installConsoleCapture } from "./console";
import { IdempotencyLog, type IdempotencyKey } from "./idempotency";

export type EngineOptions = {
  convexDir: string;
  store: Store;
  /** Deployment environment variables, as functions see them in process.env. */
  env: Record<string, string>;
  adminKey: string;
  /** Modules added to the app from outside convexDir (name -> file); tests use it. */
  extraModules?: Record<string, string>;
  /** Whether due scheduled functions and crons run by themselves (default true). */
  runScheduler?: boolean;
  /** The fetch used to get JWKS for token checks (tests redirect it). */
  authFetch?: typeof fetch;
};

export class LocalEngine implements Engine {
  private readonly listeners = new Set<(commit: Commit) => void>();
  private readonly queryCache = new QueryCache();
  private readonly clock = { lastCreationTime: 0 };
  private readonly executor: Executor;
  private verifier: TokenVerifier;
  private readonly idempotency: IdempotencyLog;
  readonly scheduler: Scheduler;
  private readonly runner: FunctionRunner;

  private constructor(
    private app: LoadedApp,
    private catalog: Catalog,
    private readonly store: Store,
    private readonly adminKey: string,
    kv: ReadonlyMap<string, string>,
    lastTs: Timestamp,
    private readonly options: EngineOptions,
  ) {
    this.executor = new Executor(
      {
        write: (txs, extraKv, ts) => this.persist(txs, extraKv, ts),
        committed: (txs, ts) => this.announce(txs, ts),
      },
      lastTs,
    );
    this.verifier = this.verifierFor(app);
    this.idempotency = new IdempotencyLog(kv);
    this.runner = new FunctionRunner({
      executor: this.executor,
      clock: this.clock,
      app: () => this.app,
      catalog: () => this.catalog,
    });
    this.scheduler = new Scheduler(
      this,
      catalog,
      app.crons,
      kv,
      options.runScheduler ?? true,
    );
  }

  private verifierFor(app: LoadedApp): TokenVerifier {
    const { authFetch } = this.options;
    return createTokenVerifier(
      app.authConfig,
      authFetch === undefined ? {} : { fetch: authFetch },
    );
  }

  static async open(options: EngineOptions): Promise<LocalEngine> {
    installConvexGlobal();
    installConsoleCapture();
    const app = await loadApp(
      options.convexDir,
      options.env,
      options.extraModules,
    );
    const schema = app.schemaJson === null ? null : parseSchema(app.schemaJson);
    const { documents, kv, latestTs } = options.store.load();
    const catalog = new Catalog(new Database(), schema, tableNumbersFrom(kv));
    const lastCreationTime = loadDocuments(catalog, documents);
    const engine = new LocalEngine(
      app,
      catalog,
      options.store,
      options.adminKey,
      kv,
      latestTs,
      options,
    );
    engine.clock.lastCreationTime = lastCreationTime;
    await engine.scheduler.start();
    return engine;
  }

  // ---- Engine contract ----------------------------------------------------

  latestTs(): Timestamp {
    return this.executor.latestTs();
  }

  runQueries(
    calls: readonly FunctionCall[],
  ): Promise<{ ts: Timestamp; outcomes: QueryOutcome[] }> {
    // A full hit in the query cache is the answer at latestTs() without queueing:
    // after a commit, the first subscriber runs the query, the other 99 read it here.
    const keys = calls.map((call) => QueryCache.keyOf(call));
    const cached = keys.map((key) => this.queryCache.get(key));
    if (cached.every((outcome) => outcome !== undefined)) {
      return Promise.resolve({
        ts: this.executor.latestTs(),
        outcomes: cached,
      });
    }
    return this.executor.exclusive(async () => {
      const outcomes: QueryOutcome[] = [];
      for (const [i, call] of calls.entries()) {
        const key = keys[i]!;
        let outcome = this.queryCache.get(key);
        if (outcome === undefined) {
          outcome = await this.runner.runQueryNow(call);
          this.queryCache.set(key, outcome);
        }
        outcomes.push(outcome);
      }
      return { ts: this.executor.latestTs(), outcomes };
    });
  }

  async runMutation(
    call: FunctionCall,
    idempotencyKey?: IdempotencyKey,
  ): Promise<FunctionOutcome & { ts: Timestamp }> {
    if (idempotencyKey === undefined) {
      const result = await this.executor.mutate(() =>
        this.runner.runMutationNow(call, "public"),
      );
      return { ...result.outcome, ts: result.ts };
    }
    const earlier = this.idempotency.lookup(idempotencyKey);
    if (earlier !== undefined) return await earlier;
    const running = this.executor
      .mutate(async () => {
        const result = await this.runner.runMutationNow(call, "public");
        // Recorded in the same commit as the writes, so a crash cannot separate them.
        if (result.tx !== null) {
          const outcome = result.outcome;
          result.kv = (ts) =>
            this.idempotency.record(idempotencyKey, { ...outcome, ts });
        }
        return result;
      })
      .then((result) => ({ ...result.outcome, ts: result.ts }));
    this.idempotency.track(idempotencyKey, running);
    return await running;
  }

  async runAction(call: FunctionCall): Promise<FunctionOutcome> {
    return await this.runner.runActionNow(call, "public");
  }

  async runHttpAction(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = this.app.http?.lookup(url.pathname, request.method);
    if (match === null || match === undefined) {
      return new Response(`No HttpAction routed for ${url.pathname}`, {
        status: 404,
      });
    }
    const identity = await this.identityFromHeader(
      request.headers.get("authorization"),
    );
    const execution = this.runner.execution(
      `http ${request.method} ${url.pathname}`,
      identity,
      [],
      null,
      LIMITS.actionMs,
    );
    return await withDeadline(
      runInExecution(execution, () => match[0].invokeHttpAction(request)),
      LIMITS.actionMs,
      execution.udfPath,
    );
  }

  onCommit(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isInvalidatedBy: Engine["isInvalidatedBy"] = (readSet, writes) =>
    isInvalidatedBy(this.catalog.db, readSet, writes);

  async authenticate(token: string): Promise<CallerIdentity> {
    return await this.verifier.verify(token);
  }

  isAdminKey(key: string): boolean {
    const expected = Buffer.from(this.adminKey);
    const given = Buffer.from(key);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    await this.executor.shutdown();
    this.store.close();
  }

  private async identityFromHeader(
    header: string | null,
  ): Promise<CallerIdentity> {
    const token = header?.match(/^Bearer (.+)$/i)?.[1];
    if (token === undefined) return { kind: "anonymous" };
    try {
      return await this.verifier.verify(token);
    } catch {
      return { kind: "anonymous" };
    }
  }

  // ---- durability -------------------------------------------------------

  private persist(
    txs: readonly Transaction[],
    kv: Record<string, string | null>,
    ts: Timestamp,
  ): void {
    this.store.commit({
      ts,
      ...rowsOf(txs, ts),
      kv: { ...this.catalog.takeNewTableNumbers(), ...kv },
    });
  }

  private announce(txs: readonly Transaction[], ts: Timestamp): void {
    const writes: DocumentWrite[] = txs.flatMap((tx) => tx.writes);
    if (writes.length > 0) {
      this.queryCache.clear();
      const commit = { ts, writes: new WriteSetImpl(writes).asWriteSet() };
      this.scheduler.observe(writes);
      for (const listener of this.listeners) listener(commit);
    }
  }

  // ---- watch mode -----------------------------------------------------------

  /**
   * Loads convex/ again (watch mode). Bundling happens first, outside the
   * executor; the swap runs alone. With a new schema every document is moved
   * into freshly indexed tables and checked against it: if any fails, the
   * reload is refused and the old code keeps serving. All subscriptions re-run.
   */
  async reload(): Promise<void> {
    const app = await loadApp(
      this.options.convexDir,
      this.options.env,
      this.options.extraModules,
    );
    await this.executor.exclusive(() => {
      const schema =
        app.schemaJson === null ? null : parseSchema(app.schemaJson);
      const tableNumbers = new Map<string, number>();
      for (const table of this.catalog.db.tables())
        tableNumbers.set(table.name, table.number);
      const catalog = new Catalog(new Database(), schema, tableNumbers);
      const problems: string[] = [];
      for (const table of this.catalog.db.tables()) {
        const target =
          catalog.tableForRead(table.name) ?? catalog.systemTable(table.name);
        for (const doc of table.docs.values()) {
          const error = table.name.startsWith("_")
            ? null
            : catalog.validateDocument(table.name, doc);
          if (error !== null && problems.length < 5)
            problems.push(`${doc._id}: ${error}`);
          target.put(doc);
        }
      }
      if (problems.length > 0) {
        throw new Error(
          `The new schema does not match existing documents:\n${problems.join("\n")}`,
        );
      }
      catalog.adoptPending(this.catalog.takeNewTableNumbers());
      this.app = app;
      this.catalog = catalog;
      this.verifier = this.verifierFor(app);
      this.scheduler.reconfigure(catalog, app.crons);
      this.queryCache.clear();
    });
    const everything = {
      ts: this.executor.latestTs(),
      writes: WriteSetImpl.everything().asWriteSet(),
    };
    for (const listener of this.listeners) listener(everything);
  }

  // ---- for the scheduler and admin tools ----------------------------------

  /** Runs a mutation on the server's behalf (scheduler, crons, admin CLI). */
  mutateAsServer(
    work: MutationWork,
  ): Promise<MutationResult & { ts: Timestamp }> {
    return this.executor.mutate(work);
  }

  /** A scheduled mutation's function inside the scheduler's own transaction. */
  invokeInTransaction(
    ...args: Parameters<FunctionRunner["invokeInTransaction"]>
  ): Promise<JSONValue> {
    return this.runner.invokeInTransaction(...args);
  }

  newTransaction(): Transaction {
    return new Transaction("mutation", this.catalog, this.clock);
  }

  runActionAsServer(
    udfPath: string,
    args: JSONValue,
  ): Promise<FunctionOutcome> {
    return this.runner.runActionNow(
      { udfPath, args, identity: { kind: "anonymous" } },
      "server",
    );
  }

  /** Runs any function with admin rights (internal ones too), as `npx convex run` does. */
  async adminCall(
    kind: UdfType,
    udfPath: string,
    args: JSONValue,
  ): Promise<JSONValue> {
    const call: FunctionCall = { udfPath, args, identity: { kind: "admin" } };
    const outcome =
      kind === "query"
        ? (await this.runQueries([call])).outcomes[0]!
        : kind === "mutation"
          ? await this.runMutation(call)
          : await this.runAction(call);
    if (!outcome.ok) throw new Error(`${udfPath}: ${outcome.errorMessage}`);
    return outcome.value;
  }

  /** The kind of a public function, for the HTTP API's /api/run route. */
  functionKind(udfPath: string): UdfType | undefined {
    const loaded = this.app.functions.get(canonicalUdfPath(udfPath));
    return loaded?.visibility === "public" ? loaded.kind : undefined;
  }

  /** A function the server may run (scheduler, crons): internal ones included. */
  serverFunction(udfPath: string): LoadedFunction | undefined {
    return this.app.functions.get(canonicalUdfPath(udfPath));
  }
}
