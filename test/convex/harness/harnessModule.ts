/**
 * Added to the app only under the local-backend harness: `t.run(fn)` stores
 * `fn` in a registry on globalThis (the engine runs in the test's process)
 * and this internal mutation runs it with a real mutation ctx.
 */
import {
  internalMutationGeneric,
  type GenericMutationCtx,
  type GenericDataModel,
} from "convex/server";
import { v } from "convex/values";

type Closure = (ctx: GenericMutationCtx<GenericDataModel>) => Promise<unknown>;

export const run = internalMutationGeneric({
  args: { key: v.string() },
  handler: async (ctx, { key }) => {
    const registry = (
      globalThis as { __switchboardHarness?: Map<string, Closure> }
    ).__switchboardHarness;
    const closure = registry?.get(key);
    if (closure === undefined) throw new Error(`No harness closure ${key}.`);
    registry?.delete(key);
    return (await closure(ctx as GenericMutationCtx<GenericDataModel>)) ?? null;
  },
});
