import { expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
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
