import { expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { as, makeWorld, newBackend } from "./world";

test("a member creates a task and reads it back", async () => {
  const t = newBackend();
  const world = await makeWorld(t);
  const taskId = await as(t, world.a.member).mutation(api.tasks.create, {
    projectId: world.projectA,
    title: "Write the README",
  });
  const task = await as(t, world.a.viewer).query(api.tasks.get, { taskId });
  expect(task.title).toBe("Write the README");
  expect(task.number).toBe(1);
  expect(task.status).toBe("todo");
});

test("demo data gets one task number per task", async () => {
  const t = newBackend();
  const world = await makeWorld(t);
  const { tasks } = await t.mutation(internal.demo.seed, {
    projectId: world.projectA,
  });
  const numbers = await t.run(async (ctx) =>
    (
      await ctx.db
        .query("tasks")
        .withIndex("by_projectId_number", (q) =>
          q.eq("projectId", world.projectA),
        )
        .collect()
    ).map((task) => task.number),
  );
  expect(numbers).toEqual([1, 2, 3, 4, 5].slice(0, tasks));
});
