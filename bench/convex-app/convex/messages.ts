// The two functions bench/local-backend.ts measures: a small insert and the bounded,
// indexed read a chat view would subscribe to.
import {
  mutationGeneric,
  queryGeneric,
  type DataModelFromSchemaDefinition,
  type MutationBuilder,
  type QueryBuilder,
} from "convex/server";
import { v } from "convex/values";
import type schema from "./schema";

// What convex/_generated/server.ts would declare; this app has no codegen.
type DataModel = DataModelFromSchemaDefinition<typeof schema>;
const mutation: MutationBuilder<DataModel, "public"> = mutationGeneric;
const query: QueryBuilder<DataModel, "public"> = queryGeneric;

const message = v.object({
  _id: v.id("messages"),
  _creationTime: v.number(),
  channel: v.string(),
  body: v.string(),
  n: v.number(),
});

export const send = mutation({
  args: { channel: v.string(), body: v.string(), n: v.number() },
  returns: v.id("messages"),
  handler: async (ctx, args) => await ctx.db.insert("messages", args),
});

export const latest = query({
  args: { channel: v.string() },
  returns: v.array(message),
  handler: async (ctx, { channel }) =>
    await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channel", channel))
      .order("desc")
      .take(20),
});
