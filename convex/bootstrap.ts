/**
 * First start of a fresh deployment: creates the first org, its owner, a
 * project and the owner's sign-in token. Internal, so only the deployment's
 * admin can run it: the local backend on its first start, or a Convex cloud
 * user with `npx convex run bootstrap:run '{"ownerName": "…", "ownerEmail": "…"}'`.
 */
import { v, type Infer } from "convex/values";
import { internal } from "./_generated/api";
import {
  internalAction,
  internalMutation,
  internalQuery,
} from "./_generated/server";
import { recordAudit } from "./model/audit";
import { fail } from "./model/errors";
import { insertOrg, insertProject, upsertUser } from "./model/orgs";
import { hashSecret, newSecret } from "./model/secrets";

const vBootstrapArgs = {
  ownerName: v.string(),
  ownerEmail: v.string(),
  orgName: v.optional(v.string()),
  projectName: v.optional(v.string()),
  projectKey: v.optional(v.string()),
};

const vBootstrapResult = v.object({
  orgId: v.id("orgs"),
  userId: v.id("users"),
  projectId: v.id("projects"),
});

type BootstrapResult = Infer<typeof vBootstrapResult>;

export const isDone = internalQuery({
  args: {},
  returns: v.boolean(),
  handler: async (ctx) => (await ctx.db.query("orgs").first()) !== null,
});

export const run = internalAction({
  args: vBootstrapArgs,
  returns: v.object({
    orgId: v.id("orgs"),
    userId: v.id("users"),
    projectId: v.id("projects"),
    token: v.string(),
  }),
  // Annotated: this module's own `internal` reference would otherwise make the type circular.
  handler: async (ctx, args): Promise<BootstrapResult & { token: string }> => {
    const token = newSecret("user");
    const created: BootstrapResult = await ctx.runMutation(
      internal.bootstrap.createFirstOwner,
      {
        ...args,
        tokenHash: await hashSecret(token),
      },
    );
    return { ...created, token };
  },
});

export const createFirstOwner = internalMutation({
  args: { ...vBootstrapArgs, tokenHash: v.string() },
  returns: vBootstrapResult,
  handler: async (ctx, args) => {
    if ((await ctx.db.query("orgs").first()) !== null) {
      fail(
        "ALREADY_BOOTSTRAPPED",
        "This deployment already has an org; sign in instead.",
      );
    }
    const { user } = await upsertUser(ctx, {
      email: args.ownerEmail,
      name: args.ownerName,
    });
    const orgId = await insertOrg(
      ctx,
      user._id,
      args.orgName ?? `${user.name}'s org`,
    );
    const projectId = await insertProject(ctx, user._id, orgId, {
      name: args.projectName ?? "Default",
      key: args.projectKey ?? "SB",
    });
    const tokenId = await ctx.db.insert("userTokens", {
      userId: user._id,
      label: "bootstrap",
      tokenHash: args.tokenHash,
      createdAt: Date.now(),
    });
    await recordAudit(ctx, user._id, {
      orgId,
      action: "user_token.create",
      entity: "userToken",
      entityId: tokenId,
      after: { label: "bootstrap" },
    });
    return { orgId, userId: user._id, projectId };
  },
});

/**
 * A new sign-in token for the first owner, for a deployment whose bootstrap
 * token was lost (the local backend mints one if its data directory has none,
 * e.g. after a crash between the bootstrap commit and writing the file).
 */
export const mintOwnerToken = internalAction({
  args: {},
  returns: v.string(),
  // Annotated: this module's own `internal` reference would otherwise make the type circular.
  handler: async (ctx): Promise<string> => {
    const token = newSecret("user");
    await ctx.runMutation(internal.bootstrap.insertOwnerToken, {
      tokenHash: await hashSecret(token),
    });
    return token;
  },
});

export const insertOwnerToken = internalMutation({
  args: { tokenHash: v.string() },
  returns: v.null(),
  handler: async (ctx, { tokenHash }) => {
    const org = await ctx.db.query("orgs").first();
    if (org === null)
      fail(
        "NOT_FOUND",
        "This deployment has no org yet: run bootstrap:run first.",
      );
    const tokenId = await ctx.db.insert("userTokens", {
      userId: org.createdBy,
      label: "owner (reissued)",
      tokenHash,
      createdAt: Date.now(),
    });
    await recordAudit(ctx, "system", {
      orgId: org._id,
      action: "user_token.create",
      entity: "userToken",
      entityId: tokenId,
      after: { label: "owner (reissued)" },
    });
    return null;
  },
});
