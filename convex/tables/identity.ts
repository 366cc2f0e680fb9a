/** Tables for people, organisations, membership and the credentials they use. */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import { vRole } from "../validators";

export const identityTables = {
  users: defineTable({
    name: v.string(),
    email: v.string(),
  }).index("by_email", ["email"]),

  orgs: defineTable({
    name: v.string(),
    createdBy: v.id("users"),
  }),

  memberships: defineTable({
    orgId: v.id("orgs"),
    userId: v.id("users"),
    role: vRole,
  })
    .index("by_orgId_userId", ["orgId", "userId"])
    .index("by_orgId_role", ["orgId", "role"])
    .index("by_userId", ["userId"]),

  projects: defineTable({
    orgId: v.id("orgs"),
    name: v.string(),
    /** Short uppercase prefix of task keys, e.g. "SB" in "SB-12". */
    key: v.string(),
    /** Next task number; tasks are keyed `${key}-${number}`. */
    nextTaskNumber: v.number(),
  }).index("by_orgId_key", ["orgId", "key"]),

  /**
   * Sign-in credentials of people on deployments without an external identity
   * provider (the local backend, a fresh self-hosted deployment). Only the
   * SHA-256 of the secret is kept.
   */
  userTokens: defineTable({
    userId: v.id("users"),
    label: v.string(),
    tokenHash: v.string(),
    createdAt: v.number(),
    lastUsedAt: v.optional(v.number()),
    revokedAt: v.optional(v.number()),
  })
    .index("by_tokenHash", ["tokenHash"])
    .index("by_userId", ["userId"]),
};
