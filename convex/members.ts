/** Public membership functions: who belongs to an org, with which role. */
import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import {
  internalTenantMutation,
  signedInAction,
  tenantMutation,
  tenantQuery,
} from "./functions";
import { actorOf, recordAudit } from "./model/audit";
import { fail } from "./model/errors";
import { LIMITS } from "./model/limits";
import { assertCanGrant, assertNotLastOwner, upsertUser } from "./model/orgs";
import { hashSecret, newSecret } from "./model/secrets";
import { vRole } from "./validators";

const vMember = v.object({
  membershipId: v.id("memberships"),
  userId: v.id("users"),
  name: v.string(),
  email: v.string(),
  role: vRole,
});

export const list = tenantQuery({
  permission: "org:read",
  args: { orgId: v.id("orgs") },
  returns: v.array(vMember),
  handler: async (ctx, { orgId }) => {
    await ctx.access.org(orgId);
    const memberships = await ctx.db
      .query("memberships")
      .withIndex("by_orgId_userId", (q) => q.eq("orgId", orgId))
      .take(LIMITS.listPage);
    const members = [];
    for (const membership of memberships) {
      const user = await ctx.db.get("users", membership.userId);
      if (user === null) continue;
      members.push({
        membershipId: membership._id,
        userId: user._id,
        name: user.name,
        email: user.email,
        role: membership.role,
      });
    }
    return members;
  },
});

type AddedMember = {
  userId: Id<"users">;
  membershipId: Id<"memberships">;
  firstSignIn: boolean;
};

/**
 * Adds a person to an org. A person new to this deployment gets a first
 * sign-in token, returned once; a person who already has an account keeps
 * signing in with their own credentials and `token` is null (handing one out
 * would let an admin of any org take over that account).
 * An action because the secret needs real randomness; the permission check
 * runs in `insert`, which receives the caller's identity.
 */
export const add = signedInAction({
  args: {
    orgId: v.id("orgs"),
    email: v.string(),
    name: v.string(),
    role: vRole,
  },
  returns: v.object({
    userId: v.id("users"),
    membershipId: v.id("memberships"),
    token: v.union(v.string(), v.null()),
  }),
  // Annotated: this module's own `internal` reference would otherwise make the type circular.
  handler: async (
    ctx,
    args,
  ): Promise<{
    userId: Id<"users">;
    membershipId: Id<"memberships">;
    token: string | null;
  }> => {
    const token = newSecret("user");
    const { firstSignIn, ...added }: AddedMember = await ctx.runMutation(
      internal.members.insert,
      {
        ...args,
        tokenHash: await hashSecret(token),
      },
    );
    return { ...added, token: firstSignIn ? token : null };
  },
});

export const insert = internalTenantMutation({
  permission: "members:manage",
  args: {
    orgId: v.id("orgs"),
    email: v.string(),
    name: v.string(),
    role: vRole,
    tokenHash: v.string(),
  },
  returns: v.object({
    userId: v.id("users"),
    membershipId: v.id("memberships"),
    firstSignIn: v.boolean(),
  }),
  handler: async (ctx, { orgId, email, name, role, tokenHash }) => {
    const { role: callerRole } = await ctx.access.org(orgId);
    assertCanGrant(callerRole, role);
    const { user, created } = await upsertUser(ctx, { email, name });
    const existing = await ctx.db
      .query("memberships")
      .withIndex("by_orgId_userId", (q) =>
        q.eq("orgId", orgId).eq("userId", user._id),
      )
      .unique();
    if (existing !== null)
      fail("ALREADY_EXISTS", `${user.email} is already a member.`);
    const membershipId = await ctx.db.insert("memberships", {
      orgId,
      userId: user._id,
      role,
    });
    if (created) {
      await ctx.db.insert("userTokens", {
        userId: user._id,
        label: "first sign-in",
        tokenHash,
        createdAt: Date.now(),
      });
    }
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId,
      action: "member.add",
      entity: "membership",
      entityId: membershipId,
      after: { userId: user._id, role },
    });
    return { userId: user._id, membershipId, firstSignIn: created };
  },
});

export const setRole = tenantMutation({
  permission: "members:manage",
  args: { membershipId: v.id("memberships"), role: vRole },
  returns: v.null(),
  handler: async (ctx, { membershipId, role }) => {
    const membership = await ctx.db.get("memberships", membershipId);
    if (membership === null) fail("NOT_FOUND", "Membership not found.");
    const { role: callerRole } = await ctx.access.org(membership.orgId);
    assertCanGrant(callerRole, membership.role);
    assertCanGrant(callerRole, role);
    if (role !== "owner") await assertNotLastOwner(ctx, membership);
    await ctx.db.patch("memberships", membershipId, { role });
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: membership.orgId,
      action: "member.set_role",
      entity: "membership",
      entityId: membershipId,
      before: { role: membership.role },
      after: { role },
    });
    return null;
  },
});

export const remove = tenantMutation({
  permission: "members:manage",
  args: { membershipId: v.id("memberships") },
  returns: v.null(),
  handler: async (ctx, { membershipId }) => {
    const membership = await ctx.db.get("memberships", membershipId);
    if (membership === null) fail("NOT_FOUND", "Membership not found.");
    const { role: callerRole } = await ctx.access.org(membership.orgId);
    assertCanGrant(callerRole, membership.role);
    await assertNotLastOwner(ctx, membership);
    await ctx.db.delete("memberships", membershipId);
    await recordAudit(ctx, actorOf(ctx.access), {
      orgId: membership.orgId,
      action: "member.remove",
      entity: "membership",
      entityId: membershipId,
      before: { userId: membership.userId, role: membership.role },
    });
    return null;
  },
});
