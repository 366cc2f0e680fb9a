import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

// Leases are minutes long, so a minute's delay in reclaiming one is fine.
crons.interval(
  "reclaim expired leases",
  { minutes: 1 },
  internal.leases.reclaimExpired,
  {},
);

// Runners renew their claim with every report; one silent for two minutes
// (VS Code closed mid-stage) leaves its sandbox failed and retryable.
crons.interval(
  "expire sandbox runner claims",
  { minutes: 1 },
  internal.sandboxes.expireRunners,
  {},
);

// Monthly budgets start a new period at each UTC month start. Hourly, not
// crons.monthly: a backend asleep at midnight on the 1st still resets within
// the hour it wakes (enforcement already treats an ended period as fresh).
crons.hourly(
  "reset monthly budgets",
  { minuteUTC: 5 },
  internal.budgets.resetPeriods,
  {},
);

// Workflow steps time out in minutes at the least; the same pass re-checks
// runs whose steps wait on gates that open without an event (budgets raised,
// other runs' steps finishing in the project).
crons.interval(
  "workflow watchdog",
  { minutes: 1 },
  internal.workflowRuns.watchdog,
  {},
);

// A native session's turn is an action; one lost to a restart would leave the
// session waiting forever, so overdue turns end their session.
crons.interval(
  "native session watchdog",
  { minutes: 1 },
  internal.nativeSessions.watchdog,
  {},
);

// GitHub deliveries are kept for 30 days (what they did to tasks stays).
crons.daily(
  "prune GitHub deliveries",
  { hourUTC: 3, minuteUTC: 15 },
  internal.githubWebhooks.pruneEvents,
  {},
);

export default crons;
