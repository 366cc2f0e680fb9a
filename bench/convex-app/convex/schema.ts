// Benchmark-only Convex app: one table, one index. It imports the generic builders from
// convex/server so it needs no codegen (there is no _generated folder here).
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  messages: defineTable({
    channel: v.string(),
    body: v.string(),
    n: v.number(),
  }).index("by_channel", ["channel"]),
});
