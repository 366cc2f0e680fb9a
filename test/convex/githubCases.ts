/**
 * permissions.test.ts cases for convex/github.ts: linking repositories to a
 * project (admins) and reading the links and the webhook's events.
 * Same shape as publicFunctionCases.ts.
 */
import { expect } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Doc, Id } from "../../convex/_generated/dataModel";
import {
  badType,
  defineCase,
  idOf,
  semantic,
  type PublicCase,
} from "./publicFunctionCases";
import type { Backend, World } from "./world";

const REPOSITORY = "octo-org/app";

export async function insertGithubLink(
  t: Backend,
  world: World,
  repository = REPOSITORY,
  projectId: Id<"projects"> = world.projectA,
): Promise<Id<"githubRepositories">> {
  return await t.run(async (ctx) => {
    const project = await ctx.db.get("projects", projectId);
    if (project === null) throw new Error("No such project.");
    return await ctx.db.insert("githubRepositories", {
      projectId,
      orgId: project.orgId,
      repository,
      linkedBy: world.a.owner.userId,
      linkedAt: Date.now(),
    });
  });
}

async function insertGithubEvent(
  t: Backend,
  fields: Partial<Omit<Doc<"githubEvents">, "_id" | "_creationTime">>,
): Promise<Id<"githubEvents">> {
  return await t.run(
    async (ctx) =>
      await ctx.db.insert("githubEvents", {
        deliveryId: "delivery-1",
        event: "pull_request",
        payload: "{}",
        receivedAt: Date.now(),
        status: "processed",
        action: "opened",
        note: "Linked AA-1.",
        taskKey: "AA-1",
        ...fields,
      }),
  );
}

export const GITHUB_CASES: readonly PublicCase[] = [
  defineCase(api.github.linkRepository, {
    permission: "projects:manage",
    min: "admin",
    setup: (_t, world) => ({
      projectId: world.projectA,
      repository: " Octo-Org/App ",
    }),
    invalid: (_world, args) => semantic({ ...args, repository: "not a repo" }),
    check: async (linkId, { t, world, caller }) => {
      const link = await t.run(
        async (ctx) => await ctx.db.get("githubRepositories", linkId),
      );
      expect(link).toMatchObject({
        projectId: world.projectA,
        orgId: world.orgA,
        repository: REPOSITORY,
        linkedBy: idOf(caller),
      });
    },
  }),
  defineCase(api.github.unlinkRepository, {
    permission: "projects:manage",
    min: "admin",
    setup: async (t, world) => {
      await insertGithubLink(t, world);
      return { projectId: world.projectA, repository: REPOSITORY };
    },
    invalid: (_world, args) => semantic({ ...args, repository: "octo-org/" }),
    check: async (result, { t }) => {
      expect(result).toBeNull();
      const links = await t.run(
        async (ctx) => await ctx.db.query("githubRepositories").collect(),
      );
      expect(links).toEqual([]);
    },
  }),
  defineCase(api.github.listRepositories, {
    permission: "projects:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertGithubLink(t, world);
      await insertGithubLink(t, world, "octo-org/other", world.projectA2);
      return { projectId: world.projectA };
    },
    invalid: (world) => badType({ projectId: world.orgA }),
    check: (links) => {
      expect(links.map((link) => link.repository)).toEqual([REPOSITORY]);
    },
  }),
  defineCase(api.github.events, {
    permission: "projects:read",
    min: "viewer",
    setup: async (t, world) => {
      await insertGithubEvent(t, { projectId: world.projectA });
      await insertGithubEvent(t, {
        deliveryId: "delivery-2",
        projectId: world.projectA2,
      });
      return { projectId: world.projectA };
    },
    invalid: (_world, args) => semantic({ ...args, limit: 0 }),
    check: (events) => {
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        deliveryId: "delivery-1",
        event: "pull_request",
        action: "opened",
        status: "processed",
        taskKey: "AA-1",
      });
      expect(events[0]).not.toHaveProperty("payload");
    },
  }),
];
