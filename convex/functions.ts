/**
 * The one custom-function layer every public function is built with. Each
 * wrapper resolves the caller to a principal and declares the permission the
 * function needs; handlers read tenant data only through `ctx.access`, which
 * enforces that permission in the owning org and project.
 *
 * Usage:
 *   export const get = tenantQuery({
 *     permission: "tasks:read",
 *     args: { taskId: v.id("tasks") },
 *     handler: async (ctx, { taskId }) => (await ctx.access.task(taskId)).task,
 *   });
 */
import {
  customAction,
  customMutation,
  customQuery,
} from "convex-helpers/server/customFunctions";
import {
  action,
  internalMutation,
  mutation,
  query,
  type ActionCtx,
  type QueryCtx,
} from "./_generated/server";
import { createAccess } from "./model/access";
import { fail } from "./model/errors";
import type { Permission } from "./model/permissions";
import { resolvePrincipal } from "./model/principals";

type Declared = { permission: Permission };

/** One customization for every tenant function: who is calling, and what they may do. */
const tenantAccess = {
  args: {},
  input: async (
    ctx: QueryCtx,
    _args: Record<string, never>,
    { permission }: Declared,
  ) => {
    const principal = await resolvePrincipal(ctx);
    return {
      ctx: { access: createAccess(ctx, principal, permission) },
      args: {},
    };
  },
};

export const tenantQuery = customQuery(query, tenantAccess);

export const tenantMutation = customMutation(mutation, tenantAccess);

/**
 * For mutations that actions call with `ctx.runMutation`: Convex forwards the
 * caller's identity, so the same checks run here as in a public mutation.
 */
export const internalTenantMutation = customMutation(
  internalMutation,
  tenantAccess,
);

/**
 * Actions cannot read the database, so they only require a signed-in caller
 * here and do their permission check in the internal tenant mutation they run.
 */
export const signedInAction = customAction(action, {
  args: {},
  input: async (ctx: ActionCtx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      fail("UNAUTHENTICATED", "Not signed in: send a Switchboard token.");
    }
    return { ctx: {}, args: {} };
  },
});
