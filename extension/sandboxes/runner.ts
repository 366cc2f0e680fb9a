/**
 * A runner: the process (a VS Code window, or a test) on the machine that has
 * the repository and the Docker engine. It claims sandbox work from the
 * control plane one item at a time and carries it out (pipeline.ts). `kick()`
 * is called whenever the project's sandboxes change; work never runs twice at
 * once in one runner, and the claim in Convex keeps two runners apart.
 */
import { errorCode } from "../../convex/model/errors";
import {
  cleanUp,
  provision,
  resume,
  stop,
  sweep,
  type RunnerCalls,
} from "./pipeline";
import type { Sandbox, SandboxEnvironment } from "./stages";

export type RunnerLog = (line: string) => void;

export class SandboxRunner {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly calls: RunnerCalls,
    private readonly env: SandboxEnvironment,
    private readonly log: RunnerLog,
  ) {}

  /** Starts draining the queue unless already at it (then drains once more after). */
  kick(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again);
      } catch (error) {
        this.log(`sandbox runner: ${describe(error)}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Claims and does work until there is none; returns how many items it did. */
  async drain(): Promise<number> {
    let done = 0;
    for (;;) {
      const sandbox = await this.calls.claimWork();
      if (sandbox === null) return done;
      await this.handle(sandbox);
      done += 1;
    }
  }

  async sweep(): Promise<number> {
    return await sweep(this.env, this.calls);
  }

  private async handle(sandbox: Sandbox): Promise<void> {
    const what = `${sandbox.taskKey} (${sandbox.status})`;
    this.log(`sandbox ${what}: started`);
    try {
      switch (sandbox.status) {
        case "provisioning": {
          const { ok, timings } = await provision(
            sandbox,
            this.env,
            this.calls,
          );
          this.log(
            `sandbox ${sandbox.taskKey}: ${ok ? "ready" : "failed"} (${formatTimings(timings)})`,
          );
          return;
        }
        case "resuming":
          await resume(sandbox, this.env, this.calls);
          return;
        case "stopping":
          await stop(sandbox, this.env, this.calls);
          return;
        case "cleaning":
          this.log(
            `sandbox ${sandbox.taskKey}: ${await cleanUp(sandbox, this.env, this.calls)}`,
          );
          return;
        default:
          this.log(`sandbox ${what}: nothing to do`);
      }
    } catch (error) {
      // Someone cancelled or took over mid-way: their state wins, not ours.
      if (errorCode(error) === "LEASE_LOST") {
        this.log(`sandbox ${what}: no longer ours, stopped`);
        return;
      }
      this.log(`sandbox ${what}: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatTimings(timings: Partial<Record<string, number>>): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage} ${Math.round(ms ?? 0)} ms`)
    .join(", ");
}
