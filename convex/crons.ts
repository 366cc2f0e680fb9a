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

export default crons;
