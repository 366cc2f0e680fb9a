/**
 * Every failure comes back as a tool result with isError and text a model can
 * act on: invalid input (naming the field), permission denied, illegal
 * transition (with the allowed moves), lease lost, nothing to claim, unknown
 * tool, missing or revoked token, and an unreachable backend (saying where it
 * looked), including one that goes away mid-session and comes back.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { TOOLS } from "../../mcp-server/registry";
import type { TaskView } from "../../convex/model/views";
import { Backend, waitFor } from "../integration/local-backend/backendProcess";
import {
  callError,
  callOk,
  connectInProcess,
  textOf,
  useAgentWorld,
} from "./fixture";

const env = useAgentWorld("worker");

const create = async (args: Record<string, unknown>) =>
  await callOk<TaskView>(env.mcp.client, "create_task", args);

describe("invalid input", () => {
  test("names the field: wrong type, unknown field, missing field, bad enum", async () => {
    expect(
      await callError(env.mcp.client, "list_tasks", { limit: "ten" }),
    ).toMatch(/INVALID_ARGUMENT.*`limit` must be a number/);
    expect(
      await callError(env.mcp.client, "list_tasks", { state: "todo" }),
    ).toMatch(/Unknown field `state`; the fields are: projectId, status/);
    expect(await callError(env.mcp.client, "create_task", {})).toMatch(
      /`title` is required/,
    );
    expect(
      await callError(env.mcp.client, "update_task", {
        taskId: "x",
        status: "finished",
      }),
    ).toMatch(
      /`status` must be one of "backlog", "todo", .*\(got "finished"\)/,
    );
  });

  test("nulls for optional fields are taken as 'not given'", async () => {
    const listed = await callOk<{ tasks: unknown[] }>(
      env.mcp.client,
      "list_tasks",
      {
        status: null,
        limit: null,
      },
    );
    expect(Array.isArray(listed.tasks)).toBe(true);
  });

  test("the backend's own checks come back as INVALID_ARGUMENT too", async () => {
    expect(
      await callError(env.mcp.client, "create_task", { title: "   " }),
    ).toMatch(/INVALID_ARGUMENT.*Title must not be empty/);
    // A well-formed id of the wrong table: only the backend can tell.
    expect(
      await callError(env.mcp.client, "claim_task", {
        taskId: env.world.projectId,
      }),
    ).toMatch(/INVALID_ARGUMENT/);
  });

  test("an unknown tool is named, with the ones that exist", async () => {
    expect(await callError(env.mcp.client, "delete_everything")).toMatch(
      /no tool "delete_everything".*get_context, list_tasks/,
    );
  });
});

describe("refusals from the control plane", () => {
  test("permission denied: a read-only token sees fewer tools and is refused the rest", async () => {
    const reader = await env.world.newAgent("reader", ["tasks:read"]);
    const readOnly = await env.world.connect(reader.secret);
    const { tools } = await readOnly.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "get_sandbox",
      "list_tasks",
      "wait_for_updates",
    ]);
    const text = await callError(readOnly.client, "create_task", {
      title: "Not allowed",
    });
    expect(text).toMatch(/FORBIDDEN.*lacks the "tasks:write" scope/);
    expect(text).toMatch(/get_context lists its scopes/);
    await readOnly.close();
  });

  test("illegal transition lists the allowed moves", async () => {
    const task = await create({ title: "Finish me" });
    await callOk(env.mcp.client, "claim_task", { taskId: task.id });
    await callOk(env.mcp.client, "update_task", {
      taskId: task.id,
      status: "done",
    });
    const text = await callError(env.mcp.client, "update_task", {
      taskId: task.id,
      status: "blocked",
    });
    expect(text).toMatch(
      /ILLEGAL_TRANSITION.*cannot move from done to blocked.*may move to: todo/,
    );
  });

  test("starting work without a claim is pointed at claim_task", async () => {
    const task = await create({ title: "Unclaimed" });
    expect(
      await callError(env.mcp.client, "update_task", {
        taskId: task.id,
        status: "in_progress",
      }),
    ).toMatch(/LEASE_LOST.*it is todo.*Claim it with claim_task/);
  });

  test("lease lost: taken away by a person, then by another agent", async () => {
    const task = await create({ title: "Contested" });
    await callOk(env.mcp.client, "claim_task", { taskId: task.id });
    // A person unassigns it: the lease ends, the work is still in progress.
    await env.world.owner.mutation(api.tasks.assign, { taskId: task.id });
    expect(
      await callError(env.mcp.client, "update_task", {
        taskId: task.id,
        note: "x",
      }),
    ).toMatch(/LEASE_LOST.*You do not hold the lease.*claim_task/);

    const rival = await env.world.newAgent("rival");
    const rivalMcp = await env.world.connect(rival.secret);
    await callOk(rivalMcp.client, "claim_task", { taskId: task.id });
    expect(
      await callError(env.mcp.client, "update_task", { taskId: task.id }),
    ).toMatch(/LEASE_LOST.*leased by someone else.*Stop working on it/);
    expect(
      await callError(env.mcp.client, "claim_task", { taskId: task.id }),
    ).toMatch(/NOT_CLAIMABLE.*leased until/);
    await rivalMcp.close();
  });

  test("nothing to claim: blocked task, empty queue", async () => {
    const blocker = await create({ title: "First" });
    const blocked = await create({ title: "Second", dependsOn: [blocker.id] });
    expect(
      await callError(env.mcp.client, "claim_task", { taskId: blocked.id }),
    ).toMatch(/NOT_CLAIMABLE.*1 dependencies are not done/);

    // A project of its own, with nothing in it.
    const emptyProject = await env.world.owner.mutation(api.projects.create, {
      orgId: env.world.orgId,
      name: "Empty",
      key: "EMPTY",
    });
    const { token } = await env.world.owner.action(api.agentTokens.create, {
      agentId: env.agent.agentId,
      projectId: emptyProject,
      label: "empty project",
    });
    const elsewhere = await env.world.connect(token);
    expect(await callError(elsewhere.client, "claim_task")).toMatch(
      /NOTHING_READY.*wait_for_updates/,
    );
    await elsewhere.close();
  });
});

describe("credentials", () => {
  test("no token: every call says how to get one", async () => {
    const none = await env.world.connect(undefined);
    expect(await callError(none.client, "get_context")).toMatch(
      /NOT_CONFIGURED.*SWITCHBOARD_TOKEN is not set.*setup-claude/,
    );
    await none.close();
  });

  test("a token revoked mid-session is refused from then on", async () => {
    const doomed = await env.world.newAgent("doomed");
    const session = await env.world.connect(doomed.secret);
    await callOk(session.client, "get_context");
    await env.world.owner.mutation(api.agentTokens.revoke, {
      tokenId: doomed.tokenId,
    });
    // ConvexClient.query may answer from the copy it still holds of a query it just
    // ran, until the server's Transition for the revocation reaches this connection (a
    // few ms): another client's write is not read-your-own-write. So: refused within
    // moments, and for good once refused.
    const refusal = await waitFor(
      async () => {
        const result = await session.client.callTool({ name: "get_context" });
        return result.isError === true ? textOf(result) : undefined;
      },
      5_000,
      "the revocation to reach the agent's connection",
    );
    expect(refusal).toMatch(/UNAUTHENTICATED.*revoked.*mint a new one/);
    expect(await callError(session.client, "get_context")).toMatch(
      /UNAUTHENTICATED.*revoked/,
    );
    await session.close();
    // A new session with it cannot even sign in.
    const again = await env.world.connect(doomed.secret);
    expect(await callError(again.client, "get_context")).toMatch(
      /NOT_CONFIGURED.*refused.*unknown or revoked/,
    );
    await again.close();
  });
});

describe("backend unreachable", () => {
  test("says where it looked: a URL nobody answers, or a data dir with no backend", async () => {
    const byUrl = await connectInProcess({
      ...env.world.config(env.agent.secret),
      backend: {
        kind: "url",
        url: "http://127.0.0.1:9",
        siteUrl: "http://127.0.0.1:10",
        source: "SWITCHBOARD_URL",
      },
    });
    expect(await callError(byUrl.client, "list_tasks")).toMatch(
      /BACKEND_UNREACHABLE.*http:\/\/127\.0\.0\.1:10\/auth\/token \(SWITCHBOARD_URL\).*ECONNREFUSED/,
    );
    // tools/list still answers (every tool, since the scopes are unknown).
    expect((await byUrl.client.listTools()).tools).toHaveLength(TOOLS.length);
    await byUrl.close();

    const byDir = await connectInProcess({
      ...env.world.config(env.agent.secret),
      backend: { kind: "dataDir", dataDir: "/nonexistent/switchboard" },
    });
    expect(await callError(byDir.client, "get_context")).toMatch(
      /BACKEND_UNREACHABLE.*\/nonexistent\/switchboard\/state\.json.*SWITCHBOARD_DATA_DIR/,
    );
    await byDir.close();
  });

  test("a backend that dies mid-session fails calls in time, and is found again when back", async () => {
    const own = await Backend.start();
    try {
      const owner = own.httpClient(await own.signIn());
      const [org] = await owner.query(api.orgs.listMine, {});
      const [project] = await owner.query(api.projects.list, {
        orgId: org!.orgId,
      });
      const agentId = await owner.mutation(api.agents.create, {
        orgId: org!.orgId,
        name: "survivor",
      });
      const { token } = await owner.action(api.agentTokens.create, {
        agentId,
        projectId: project!._id,
        label: "restart test",
      });
      const session = await connectInProcess({
        ...env.world.config(token, { connectTimeoutMs: 1_000 }),
        backend: { kind: "dataDir", dataDir: own.dataDir },
      });
      await callOk(session.client, "get_context");
      const oldUrl = own.url;
      await own.kill();
      const started = Date.now();
      expect(await callError(session.client, "list_tasks")).toMatch(
        new RegExp(
          `BACKEND_UNREACHABLE.*${oldUrl.replace(/[.:/]/g, "\\$&")}.*has not answered`,
        ),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      // Back on other ports: the next call finds it through the state file.
      await own.restart({ samePorts: false });
      expect(own.url).not.toBe(oldUrl);
      const context = await callOk<{ me: { name: string } }>(
        session.client,
        "get_context",
      );
      expect(context.me.name).toBe("survivor");
      await session.close();
    } finally {
      await own.dispose();
    }
  });
});
