/**
 * The query cache: subscribers of the same query, arguments and caller share
 * one run per snapshot, and any commit starts a new snapshot.
 */
import { expect, test } from "vitest";
import type { CallerIdentity } from "../../../local-backend/engine/types";
import { openTempApp } from "./tempApp";

// Module state survives between runs because functions run in this process;
// the counter shows how often the query really ran.
const counters = `import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";
let runs = 0;
export const runsSoFar = queryGeneric({ args: { label: v.string() }, handler: async () => ++runs });
export const touch = mutationGeneric({ args: {}, handler: async (ctx) => await ctx.db.insert("marks", {}) });
`;

const anonymous: CallerIdentity = { kind: "anonymous" };
const admin: CallerIdentity = { kind: "admin" };

test("identical queries share one run until a commit", async () => {
  const { engine } = await openTempApp({ "counters.ts": counters });
  const run = async (label: string, identity: CallerIdentity = anonymous) =>
    (
      await engine.runQueries([
        { udfPath: "counters:runsSoFar", args: { label }, identity },
      ])
    ).outcomes[0];
  expect(await run("a")).toMatchObject({ ok: true, value: 1 });
  expect(await run("a")).toMatchObject({ ok: true, value: 1 });
  // Other arguments or another caller are other queries.
  expect(await run("b")).toMatchObject({ value: 2 });
  expect(await run("a", admin)).toMatchObject({ value: 3 });
  await engine.runMutation({
    udfPath: "counters:touch",
    args: {},
    identity: anonymous,
  });
  expect(await run("a")).toMatchObject({ value: 4 });
});
