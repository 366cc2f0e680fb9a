/**
 * Scheduled functions and crons. Jobs are documents in `_scheduled_functions`
 * (written in the scheduling mutation's own transaction, so they are exactly
 * as durable as it is); this class keeps a timer for the earliest pending job
 * and runs it. Crons become jobs when due; each cron's last run time is kept
 * in the store, so one that came due while the backend was down runs once
 * when it starts.
 */
import { CronExpressionParser } from "cron-parser";
import type { JSONValue, Value } from "convex/values";
import { SCHEDULED_FUNCTIONS, type Catalog } from "./catalog";
import type { Doc } from "./database";
import type { LocalEngine } from "./engine";
import { toFailure } from "./invoke";
import type { CronSpec } from "./modules";
import type { DocumentWrite } from "./readSet";
import type { FunctionOutcome } from "./types";

const CRON_PREFIX = "cron:";
const DAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
];
/** setTimeout's ceiling; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type JobState = { kind: string };

export class Scheduler {
  private readonly pending = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly cronLastRun = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly engine: LocalEngine,
    private catalog: Catalog,
    private crons: ReadonlyMap<string, CronSpec>,
    kv: ReadonlyMap<string, string>,
    /** False in tests that drive time themselves (runDue / earliestPending). */
    private readonly automatic: boolean,
  ) {
    for (const [key, value] of kv) {
      if (key.startsWith(CRON_PREFIX))
        this.cronLastRun.set(key.slice(CRON_PREFIX.length), Number(value));
    }
  }

  /** After a code reload (watch mode): new tables object, new cron list. */
  reconfigure(catalog: Catalog, crons: ReadonlyMap<string, CronSpec>): void {
    this.catalog = catalog;
    this.crons = crons;
    this.arm();
  }

  async start(): Promise<void> {
    const interrupted: string[] = [];
    for (const doc of this.catalog
      .systemTable(SCHEDULED_FUNCTIONS)
      .docs.values()) {
      const state = (doc.state as JobState).kind;
      if (state === "pending")
        this.pending.set(doc._id, doc.scheduledTime as number);
      if (state === "inProgress") interrupted.push(doc._id);
    }
    // An action that was running when the backend stopped did not finish; Convex
    // runs actions at most once, so it is marked failed rather than retried.
    for (const jobId of interrupted) {
      await this.settle(jobId, {
        kind: "failed",
        error: "The backend stopped while this action was running.",
      });
    }
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  /** Keeps the pending set in step with every commit that touches jobs. */
  observe(writes: readonly DocumentWrite[]): void {
    let changed = false;
    for (const write of writes) {
      if (write.table !== SCHEDULED_FUNCTIONS) continue;
      changed = true;
      const after = write.after;
      if (after !== null && (after.state as JobState).kind === "pending") {
        this.pending.set(write.id, after.scheduledTime as number);
      } else {
        this.pending.delete(write.id);
      }
    }
    if (changed) this.arm();
  }

  private nextCronRun(name: string, spec: CronSpec): number {
    const last = this.cronLastRun.get(name);
    const { schedule } = spec;
    if (schedule.type === "interval") {
      const ms =
        ((schedule.seconds ?? 0) +
          (schedule.minutes ?? 0) * 60 +
          (schedule.hours ?? 0) * 3600) *
        1000;
      // Never run yet: the first run is one interval after the cron appears.
      if (last === undefined) {
        this.cronLastRun.set(name, Date.now());
        return Date.now() + ms;
      }
      return last + ms;
    }
    const expression = cronExpression(schedule);
    const from = new Date(last ?? Date.now());
    return CronExpressionParser.parse(expression, {
      currentDate: from,
      tz: "UTC",
    })
      .next()
      .getTime();
  }

  private arm(): void {
    if (this.stopped || !this.automatic) return;
    if (this.timer !== null) clearTimeout(this.timer);
    let next = Number.POSITIVE_INFINITY;
    for (const [jobId, at] of this.pending)
      if (!this.running.has(jobId)) next = Math.min(next, at);
    for (const [name, spec] of this.crons)
      next = Math.min(next, this.nextCronRun(name, spec));
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    const now = Date.now();
    for (const [name, spec] of this.crons) {
      if (this.nextCronRun(name, spec) <= now) this.startCron(name, spec, now);
    }
    for (const [jobId, at] of this.pending) {
      if (at <= now && !this.running.has(jobId)) void this.startJob(jobId);
    }
    this.arm();
  }

  private startCron(name: string, spec: CronSpec, now: number): void {
    this.cronLastRun.set(name, now);
    void this.engine
      .mutateAsServer(() => {
        const tx = this.engine.newTransaction();
        tx.schedule(spec.name, now, spec.args[0] ?? {});
        tx.close();
        return {
          outcome: ok(null),
          tx,
          kv: () => ({ [CRON_PREFIX + name]: String(now) }),
        };
      })
      .catch((error: unknown) =>
        log(`cron ${name} could not be scheduled: ${String(error)}`),
      );
  }

  private startJob(jobId: string): Promise<void> {
    this.running.add(jobId);
    const done = () => {
      this.running.delete(jobId);
      this.arm();
    };
    const run = this.runJob(jobId).then(done, (error: unknown) => {
      log(`scheduled job ${jobId} failed to run: ${String(error)}`);
      done();
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** When the next pending job is due, or null if none is pending. */
  earliestPending(): number | null {
    let next: number | null = null;
    for (const at of this.pending.values())
      next = next === null ? at : Math.min(next, at);
    return next;
  }

  /** Runs every job due now and waits for them (tests that drive the clock). */
  async runDue(): Promise<void> {
    const now = Date.now();
    const due = [...this.pending].filter(
      ([jobId, at]) => at <= now && !this.running.has(jobId),
    );
    await Promise.all(due.map(([jobId]) => this.startJob(jobId)));
  }

  /** Waits for jobs already running. */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async runJob(jobId: string): Promise<void> {
    const job = this.catalog.systemTable(SCHEDULED_FUNCTIONS).docs.get(jobId);
    if (job === undefined || (job.state as JobState).kind !== "pending") return;
    const udfPath = job.name as string;
    const args = argsOf(job);
    const loaded = this.engine.serverFunction(udfPath);
    if (loaded === undefined || loaded.kind === "query") {
      await this.settle(jobId, {
        kind: "failed",
        error: `${udfPath} is not a mutation or action.`,
      });
      return;
    }
    if (loaded.kind === "mutation") {
      await this.engine.mutateAsServer(async () => {
        const current = this.catalog
          .systemTable(SCHEDULED_FUNCTIONS)
          .docs.get(jobId);
        if (
          current === undefined ||
          (current.state as JobState).kind !== "pending"
        ) {
          return { outcome: ok(null), tx: null };
        }
        const tx = this.engine.newTransaction();
        const logLines: string[] = [];
        try {
          await this.engine.invokeInTransaction(
            tx,
            loaded,
            args,
            { kind: "anonymous" },
            logLines,
          );
          tx.setJobState(jobId, { kind: "success" }, Date.now());
          tx.close();
          return { outcome: ok(null), tx };
        } catch (error) {
          tx.rollback();
          const failure = toFailure(error, udfPath, logLines);
          const failed = this.engine.newTransaction();
          failed.setJobState(
            jobId,
            { kind: "failed", error: messageOf(failure) },
            Date.now(),
          );
          failed.close();
          return { outcome: failure, tx: failed };
        }
      });
      return;
    }
    await this.settle(jobId, { kind: "inProgress" });
    const outcome = await this.engine.runActionAsServer(udfPath, args);
    await this.settle(
      jobId,
      outcome.ok
        ? { kind: "success" }
        : { kind: "failed", error: messageOf(outcome) },
    );
  }

  private async settle(
    jobId: string,
    state: Record<string, Value>,
  ): Promise<void> {
    await this.engine.mutateAsServer(() => {
      const tx = this.engine.newTransaction();
      const finished = state.kind !== "inProgress";
      tx.setJobState(jobId, state, finished ? Date.now() : undefined);
      tx.close();
      return { outcome: ok(null), tx };
    });
  }
}

function argsOf(job: Doc): JSONValue {
  const stored = job.args as Value[];
  return (stored[0] ?? {}) as unknown as JSONValue;
}

function ok(value: JSONValue): FunctionOutcome {
  return { ok: true, value, logLines: [] };
}

function messageOf(outcome: FunctionOutcome): string {
  return outcome.ok ? "" : outcome.errorMessage;
}

function log(message: string): void {
  process.stderr.write(`switchboard-backend: ${message}\n`);
}

/** Convex's calendar schedules as cron expressions (UTC). */
function cronExpression(
  schedule: Exclude<CronSpec["schedule"], { type: "interval" }>,
): string {
  switch (schedule.type) {
    case "cron":
      return schedule.cron;
    case "hourly":
      return `${schedule.minuteUTC ?? 0} * * * *`;
    case "daily":
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} * * *`;
    case "weekly":
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} * * ${DAYS.indexOf(schedule.dayOfWeek)}`;
    case "monthly":
      return `${schedule.minuteUTC ?? 0} ${schedule.hourUTC} ${schedule.day} * *`;
  }
}
