/** Orgs, memberships and projects. */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import type { Actor, Role } from "../validators";
import { recordAudit } from "./audit";
import { requireText } from "./checks";
import { fail } from "./errors";
import { roleAtLeast } from "./permissions";

export async function insertOrg(
  ctx: MutationCtx,
  ownerId: Id<"users">,
  name: string,
): Promise<Id<"orgs">> {
  const orgId = await ctx.db.insert("orgs", {
    name: requireText("Org name", name, 100),
    createdBy: ownerId,
  });
  const membershipId = await ctx.db.insert("memberships", {
    orgId,
    userId: ownerId,
    role: "owner",
  });
  await recordAudit(ctx, ownerId, {
    orgId,
    action: "org.create",
    entity: "org",
    entityId: orgId,
    after: { name, ownerMembershipId: membershipId },
  });
  return orgId;
}

const PROJECT_KEY = /^[A-Z][A-Z0-9]{1,9}$/;

export async function insertProject(
  ctx: MutationCtx,
  actor: Actor,
  orgId: Id<"orgs">,
  input: { name: string; key: string },
): Promise<Id<"projects">> {
  const key = input.key.trim().toUpperCase();
  if (!PROJECT_KEY.test(key)) {
    fail(
      "INVALID_ARGUMENT",
      "A project key is 2-10 letters or digits, starting with a letter.",
    );
  }
  const clash = await ctx.db
    .query("projects")
    .withIndex("by_orgId_key", (q) => q.eq("orgId", orgId).eq("key", key))
    .first();
  if (clash !== null)
    fail("ALREADY_EXISTS", `This org already has a project with key ${key}.`);
  const projectId = await ctx.db.insert("projects", {
    orgId,
    name: requireText("Project name", input.name, 100),
    key,
    nextTaskNumber: 1,
  });
  await recordAudit(ctx, actor, {
    orgId,
    action: "project.create",
    entity: "project",
    entityId: projectId,
    after: { name: input.name, key },
  });
  return projectId;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Finds a person by email or creates them; emails are stored lower-case.
 * `created` tells callers whether they may hand out a first credential: an
 * existing person's account is theirs alone.
 */
export async function upsertUser(
  ctx: MutationCtx,
  input: { email: string; name: string },
): Promise<{ user: Doc<"users">; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 200)
    fail("INVALID_ARGUMENT", "That is not an email address.");
  const existing = await ctx.db
    .query("users")
    .withIndex("by_email", (q) => q.eq("email", email))
    .unique();
  if (existing !== null) return { user: existing, created: false };
  const userId = await ctx.db.insert("users", {
    email,
    name: requireText("Name", input.name, 100),
  });
  return { user: (await ctx.db.get("users", userId))!, created: true };
}

/** Admins manage members up to their own rank; only owners make owners. */
export function assertCanGrant(callerRole: Role | null, role: Role): void {
  if (callerRole === null || !roleAtLeast(callerRole, role)) {
    fail("FORBIDDEN", `You cannot grant the ${role} role.`);
  }
}

/** An org always keeps at least one owner. */
export async function assertNotLastOwner(
  ctx: MutationCtx,
  membership: Doc<"memberships">,
): Promise<void> {
  if (membership.role !== "owner") return;
  const owners = await ctx.db
    .query("memberships")
    .withIndex("by_orgId_role", (q) =>
      q.eq("orgId", membership.orgId).eq("role", "owner"),
    )
    .take(2);
  if (owners.length <= 1) {
    fail("INVALID_ARGUMENT", "An org needs at least one owner.");
  }
}
