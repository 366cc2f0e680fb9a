/**
 * permissions.test.ts cases for the functions the VS Code extension's views
 * read (board columns, the people directory, agent activity). Same shape as
 * publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import {
  badType,
  defineCase,
  insertLeasedTask,
  insertTask,
  type PublicCase,
} from "./publicFunctionCases";

export const VIEW_CASES: readonly PublicCase[] = [
  defineCase(api.board.column, {
    permission: "tasks:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertTask(t, world, {
        title: "Card",
        description: "long text the board does not need",
        labels: ["ui"],
      });
      return {
        projectId: world.projectA,
        status: "todo" as const,
        paginationOpts: { numItems: 10, cursor: null },
      };
    },
    invalid: (_world, args) => badType({ ...args, status: "doing" }),
    check: (result) => {
      expect(result.page).toHaveLength(1);
      const [card] = result.page;
      expect(card).toMatchObject({ title: "Card", labels: ["ui"] });
      // Cards are compact: no description.
      expect(card).not.toHaveProperty("description");
      expect(result.isDone).toBe(true);
    },
  }),
  defineCase(api.board.people, {
    permission: "tasks:read",
    min: "viewer",
    setup: (_t, world) => ({ projectId: world.projectA }),
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (people) => {
      const names = people.map((person) => `${person.kind}:${person.name}`);
      expect(names).toEqual(
        expect.arrayContaining([
          "user:a-owner",
          "user:a-viewer",
          "agent:agent-a",
          "agent:reader-a",
        ]),
      );
      expect(names).not.toContain("user:b-owner");
    },
  }),
  defineCase(api.agents.activity, {
    permission: "agents:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertLeasedTask(t, world, world.agent);
      await t.run(
        async (ctx) =>
          await ctx.db.insert("auditEvents", {
            orgId: world.orgA,
            actor: world.agent.agentId,
            action: "task.claim",
            entity: "task",
            entityId: "x",
            at: 1_000,
          }),
      );
      return { projectId: world.projectA };
    },
    invalid: (world) => badType({ projectId: world.agent.agentId }),
    check: (agents, { world }) => {
      const working = agents.find((a) => a.agentId === world.agent.agentId);
      expect(working?.currentTask?.title).toBe("Seed task");
      expect(working?.lastActiveAt).toBe(1_000);
      const idle = agents.find((a) => a.name === "reader-a");
      expect(idle).toMatchObject({ currentTask: null, lastActiveAt: null });
    },
  }),
];
