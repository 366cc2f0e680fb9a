/**
 * Runs a recovery step later, again and again while it is needed: after
 * `baseMs`, then with exponential backoff while the step fails, one run at a
 * time. Used to look for a local backend that stopped answering.
 */
import { backoffMs } from "../util/time";

/** What a run found: stop, look again soon, or failed (wait longer next time). */
export type RunOutcome = "done" | "again" | "failed";

export class RetryLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly run: () => Promise<RunOutcome>,
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {}

  get isScheduled(): boolean {
    return this.timer !== undefined || this.running;
  }

  /** Schedules a run unless one is pending or running. */
  schedule(): void {
    if (this.stopped || this.isScheduled) return;
    const waitMs = backoffMs(this.failures, this.baseMs, this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.execute();
    }, waitMs);
  }

  /** Cancels a pending run and forgets past failures (the need went away). */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.failures = 0;
  }

  dispose(): void {
    this.stopped = true;
    this.reset();
  }

  private async execute(): Promise<void> {
    this.running = true;
    let outcome: RunOutcome;
    try {
      outcome = await this.run();
    } catch {
      outcome = "failed";
    } finally {
      this.running = false;
    }
    if (outcome === "done") {
      this.failures = 0;
      return;
    }
    if (outcome === "failed") this.failures++;
    this.schedule();
  }
}
