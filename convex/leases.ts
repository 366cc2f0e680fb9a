/** Scheduled side of leases: the cron that returns expired claims to the queue. */
import { v } from "convex/values";
import { internalMutation } from "./_generated/server";
import { reclaimExpiredLeases } from "./model/leases";

export const reclaimExpired = internalMutation({
  args: {},
  returns: v.number(),
  handler: async (ctx) => await reclaimExpiredLeases(ctx, Date.now()),
});
