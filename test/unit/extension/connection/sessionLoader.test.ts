import { getFunctionName } from "convex/server";
import { describe, expect, test } from "vitest";
import {
  loadSession,
  SessionError,
  type QueryFn,
} from "../../../../extension/connection/sessionLoader";

type Tables = {
  me: unknown;
  orgs: { orgId: string; name: string; role: string }[];
  projects: Record<string, { _id: string; key: string }[]>;
};

function fakeQuery(tables: Tables, calls: string[] = []): QueryFn {
  const query = (
    ref: Parameters<typeof getFunctionName>[0],
    args: { orgId?: string },
  ): Promise<unknown> => {
    const name = getFunctionName(ref);
    calls.push(args.orgId === undefined ? name : `${name}(${args.orgId})`);
    if (name === "me:get") return Promise.resolve(tables.me);
    if (name === "orgs:listMine") return Promise.resolve(tables.orgs);
    if (name === "projects:list")
      return Promise.resolve(tables.projects[args.orgId ?? ""] ?? []);
    return Promise.reject(new Error(name));
  };
  return query;
}

const base = {
  backend: "remote" as const,
  url: "https://a.convex.cloud",
  siteUrl: "https://a.convex.site",
};
const ada = { kind: "user", userId: "u1", name: "Ada", email: "ada@x" };

describe("loadSession", () => {
  test("first org, first project", async () => {
    const calls: string[] = [];
    const session = await loadSession(
      fakeQuery(
        {
          me: ada,
          orgs: [
            { orgId: "o1", name: "One", role: "owner" },
            { orgId: "o2", name: "Two", role: "member" },
          ],
          projects: {
            o1: [
              { _id: "p1", key: "SB" },
              { _id: "p2", key: "WEB" },
            ],
          },
        },
        calls,
      ),
      base,
    );
    expect(session).toEqual({
      ...base,
      userId: "u1",
      userName: "Ada",
      orgId: "o1",
      projectId: "p1",
      projectKey: "SB",
    });
    expect(calls).toEqual(["me:get", "orgs:listMine", "projects:list(o1)"]);
  });

  test("an org without projects is skipped", async () => {
    const session = await loadSession(
      fakeQuery({
        me: ada,
        orgs: [
          { orgId: "o1", name: "Empty", role: "owner" },
          { orgId: "o2", name: "Two", role: "member" },
        ],
        projects: { o2: [{ _id: "p9", key: "OPS" }] },
      }),
      base,
    );
    expect(session).toMatchObject({
      orgId: "o2",
      projectId: "p9",
      projectKey: "OPS",
    });
  });

  test("a remembered project is found in another org; a stale one falls back", async () => {
    const tables: Tables = {
      me: ada,
      orgs: [
        { orgId: "o1", name: "One", role: "owner" },
        { orgId: "o2", name: "Two", role: "member" },
      ],
      projects: {
        o1: [{ _id: "p1", key: "SB" }],
        o2: [{ _id: "p7", key: "WEB" }],
      },
    };
    expect(await loadSession(fakeQuery(tables), base, "p7")).toMatchObject({
      orgId: "o2",
      projectKey: "WEB",
    });
    expect(await loadSession(fakeQuery(tables), base, "gone")).toMatchObject({
      orgId: "o1",
      projectKey: "SB",
    });
  });

  test("keeps the local data directory", async () => {
    const session = await loadSession(
      fakeQuery({
        me: ada,
        orgs: [{ orgId: "o1", name: "L", role: "owner" }],
        projects: { o1: [{ _id: "p1", key: "SB" }] },
      }),
      {
        backend: "local",
        url: "http://127.0.0.1:1",
        siteUrl: "http://127.0.0.1:2",
        dataDir: "/d",
      },
    );
    expect(session.dataDir).toBe("/d");
  });

  test.each([
    [{ kind: "agent", name: "planner" }, [], {}, /agent “planner”/],
    [ada, [], {}, /not a member of any org/],
    [
      ada,
      [{ orgId: "o1", name: "Acme", role: "owner" }],
      {},
      /No project in Acme/,
    ],
  ])("nothing to work on: %#", async (me, orgs, projects, message) => {
    const promise = loadSession(fakeQuery({ me, orgs, projects }), base);
    await expect(promise).rejects.toBeInstanceOf(SessionError);
    await expect(promise).rejects.toThrow(message);
  });
});
