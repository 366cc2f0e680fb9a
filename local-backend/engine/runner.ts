/**
 * Running one function call: finding it (public or internal, by kind),
 * giving it an execution (identity, transaction, deadline, host for
 * ctx.runQuery / runMutation / runAction and the action scheduler) and
 * turning what happens into an outcome. The engine decides when; this
 * decides how.
 */
import type { JSONValue } from "convex/values";
import type { Catalog } from "./catalog";
import { unsupported } from "./errors";
import type { Executor, MutationResult } from "./executor";
import { invokeFunction, toFailure, withDeadline } from "./invoke";
import { LIMITS } from "./limits";
import {
  canonicalUdfPath,
  type LoadedApp,
  type LoadedFunction,
} from "./modules";
import {
  SyscallError,
  type Execution,
  type ExecutionHost,
  type UdfType,
} from "./syscalls";
import { Transaction } from "./transaction";
import type {
  CallerIdentity,
  FunctionCall,
  FunctionOutcome,
  QueryOutcome,
} from "./types";

export type RunnerDeps = {
  executor: Executor;
  clock: { lastCreationTime: number };
  /** Current code and tables; both change on a watch-mode reload. */
  app: () => LoadedApp;
  catalog: () => Catalog;
};

export class FunctionRunner {
  constructor(private readonly deps: RunnerDeps) {}

  lookup(
    udfPath: string,
    kind: UdfType,
    identity: CallerIdentity,
    from: "public" | "server",
  ): LoadedFunction | FunctionOutcome {
    const path = canonicalUdfPath(udfPath);
    const loaded = this.deps.app().functions.get(path);
    const notFound = `Could not find public function for '${path}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`;
    if (loaded === undefined)
      return { ok: false, errorMessage: notFound, logLines: [] };
    // Clients reach internal functions only with the admin key, as with `npx convex run`.
    if (
      loaded.visibility === "internal" &&
      from === "public" &&
      identity.kind !== "admin"
    ) {
      return { ok: false, errorMessage: notFound, logLines: [] };
    }
    if (loaded.kind !== kind) {
      return {
        ok: false,
        errorMessage: `Trying to execute ${path} as ${kind}, but it is defined as ${loaded.kind}.`,
        logLines: [],
      };
    }
    return loaded;
  }

  execution(
    udfPath: string,
    identity: CallerIdentity,
    logLines: string[],
    tx: Transaction | null,
    budgetMs: number,
  ): Execution {
    return {
      udfPath,
      identity,
      logLines,
      tx,
      host: this.hostFor(tx),
      deadline: Date.now() + budgetMs,
    };
  }

  async runQueryNow(
    call: FunctionCall,
    from: "public" | "server" = "public",
  ): Promise<QueryOutcome> {
    const tx = new Transaction("query", this.deps.catalog(), this.deps.clock);
    const loaded = this.lookup(call.udfPath, "query", call.identity, from);
    if ("ok" in loaded) return { ...loaded, readSet: tx.reads.asReadSet() };
    const logLines: string[] = [];
    try {
      const value = await this.invokeInTransaction(
        tx,
        loaded,
        call.args,
        call.identity,
        logLines,
      );
      return { ok: true, value, logLines, readSet: tx.reads.asReadSet() };
    } catch (error) {
      return {
        ...toFailure(error, loaded.udfPath, logLines),
        readSet: tx.reads.asReadSet(),
      };
    } finally {
      tx.close();
    }
  }

  /** Actions run outside the executor, concurrently; their database work queues up in it. */
  async runActionNow(
    call: FunctionCall,
    from: "public" | "server",
  ): Promise<FunctionOutcome> {
    const loaded = this.lookup(call.udfPath, "action", call.identity, from);
    if ("ok" in loaded) return loaded;
    const logLines: string[] = [];
    try {
      const value = await this.invokeWithin(
        null,
        loaded,
        call.args,
        call.identity,
        logLines,
        LIMITS.actionMs,
      );
      return { ok: true, value, logLines };
    } catch (error) {
      return toFailure(error, loaded.udfPath, logLines);
    }
  }

  /** Runs inside the executor: one transaction, rolled back on failure. */
  async runMutationNow(
    call: FunctionCall,
    from: "public" | "server",
  ): Promise<MutationResult> {
    const loaded = this.lookup(call.udfPath, "mutation", call.identity, from);
    if ("ok" in loaded) return { outcome: loaded, tx: null };
    const tx = new Transaction(
      "mutation",
      this.deps.catalog(),
      this.deps.clock,
    );
    const logLines: string[] = [];
    try {
      const value = await this.invokeInTransaction(
        tx,
        loaded,
        call.args,
        call.identity,
        logLines,
      );
      tx.close();
      return { outcome: { ok: true, value, logLines }, tx };
    } catch (error) {
      tx.rollback();
      return { outcome: toFailure(error, loaded.udfPath, logLines), tx: null };
    }
  }

  /** Runs a mutation's function inside `tx` within Convex's time limit; throws what it throws. */
  async invokeInTransaction(
    tx: Transaction,
    loaded: LoadedFunction,
    args: JSONValue,
    identity: CallerIdentity,
    logLines: string[],
  ): Promise<JSONValue> {
    return await this.invokeWithin(
      tx,
      loaded,
      args,
      identity,
      logLines,
      LIMITS.queryOrMutationMs,
    );
  }

  /** One call of a loaded function in a fresh execution, within its time budget. */
  private async invokeWithin(
    tx: Transaction | null,
    loaded: LoadedFunction,
    args: JSONValue,
    identity: CallerIdentity,
    logLines: string[],
    budgetMs: number,
  ): Promise<JSONValue> {
    const execution = this.execution(
      loaded.udfPath,
      identity,
      logLines,
      tx,
      budgetMs,
    );
    return await withDeadline(
      invokeFunction(loaded, args, execution, this.deps.catalog()),
      budgetMs,
      loaded.udfPath,
    );
  }

  /** What ctx.runQuery / runMutation / runAction and the action scheduler do. */
  private hostFor(tx: Transaction | null): ExecutionHost {
    return {
      call: async (udfType, udfPath, args, identity) =>
        tx === null
          ? await this.callFromAction(udfType, udfPath, args, identity)
          : await this.callInTransaction(tx, udfType, udfPath, args, identity),
      schedule: async (udfPath, atMs, args) => {
        let id = "";
        await this.deps.executor.mutate(() => {
          const jobTx = new Transaction(
            "mutation",
            this.deps.catalog(),
            this.deps.clock,
          );
          id = jobTx.schedule(canonicalUdfPath(udfPath), atMs, args);
          jobTx.close();
          return { outcome: { ok: true, value: id, logLines: [] }, tx: jobTx };
        });
        return id;
      },
      cancel: async (jobId) => {
        await this.deps.executor.mutate(() => {
          const jobTx = new Transaction(
            "mutation",
            this.deps.catalog(),
            this.deps.clock,
          );
          jobTx.cancelJob(jobId);
          jobTx.close();
          return {
            outcome: { ok: true, value: null, logLines: [] },
            tx: jobTx,
          };
        });
      },
    };
  }

  private async callFromAction(
    udfType: UdfType,
    udfPath: string,
    args: JSONValue,
    identity: CallerIdentity,
  ): Promise<JSONValue> {
    let outcome: FunctionOutcome;
    if (udfType === "query") {
      outcome = await this.deps.executor.exclusive(() =>
        this.runQueryNow({ udfPath, args, identity }, "server"),
      );
    } else if (udfType === "mutation") {
      outcome = (
        await this.deps.executor.mutate(() =>
          this.runMutationNow({ udfPath, args, identity }, "server"),
        )
      ).outcome;
    } else {
      outcome = await this.runActionNow({ udfPath, args, identity }, "server");
    }
    if (outcome.ok) return outcome.value;
    throw new SyscallError(outcome.errorMessage, outcome.errorData);
  }

  /** ctx.runQuery / ctx.runMutation inside a query or mutation: same transaction, own savepoint. */
  private async callInTransaction(
    tx: Transaction,
    udfType: UdfType,
    udfPath: string,
    args: JSONValue,
    identity: CallerIdentity,
  ): Promise<JSONValue> {
    if (udfType === "action")
      unsupported("Running an action from a query or mutation");
    const loaded = this.lookup(udfPath, udfType, identity, "server");
    if ("ok" in loaded)
      throw new SyscallError(loaded.ok ? "" : loaded.errorMessage);
    const savepoint = tx.savepoint();
    const logLines: string[] = [];
    try {
      return await this.invokeInTransaction(
        tx,
        loaded,
        args,
        identity,
        logLines,
      );
    } catch (error) {
      tx.rollbackTo(savepoint);
      const failure = toFailure(error, loaded.udfPath, logLines);
      throw new SyscallError(
        failure.ok ? "" : failure.errorMessage,
        failure.ok ? undefined : failure.errorData,
      );
    }
  }
}
