/**
 * Resources switchboard://task/{id} and switchboard://thread/{id}: listed,
 * read, and subscribed to, with notifications/resources/updated driven by
 * live Convex subscriptions when people change them (and none after
 * unsubscribing).
 */
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import type { TaskView } from "../../convex/model/views";
import { sleep, waitFor } from "../integration/local-backend/backendProcess";
import {
  callOk,
  startMcpWorld,
  type Connected,
  type McpWorld,
} from "./fixture";

let world: McpWorld;
let mcp: Connected;
const updated: string[] = [];

beforeAll(async () => {
  world = await startMcpWorld();
  const agent = await world.newAgent("reader");
  mcp = await world.connect(agent.secret);
  mcp.client.setNotificationHandler(
    ResourceUpdatedNotificationSchema,
    (notification) => {
      updated.push(notification.params.uri);
    },
  );
});
afterAll(async () => {
  await world.dispose();
});

function textContent(result: { contents: unknown[] }): unknown {
  const [content] = result.contents as { text?: string; mimeType?: string }[];
  expect(content?.mimeType).toBe("application/json");
  return JSON.parse(content?.text ?? "null");
}

describe("resources", () => {
  test("templates, the agent's current tasks, and reading a task", async () => {
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      "switchboard://task/{id}",
      "switchboard://thread/{id}",
    ]);
    const task = await callOk<TaskView>(mcp.client, "create_task", {
      title: "Readable",
    });
    await callOk(mcp.client, "claim_task", { taskId: task.id });
    const { resources } = await mcp.client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({
        uri: `switchboard://task/${task.id}`,
        name: task.key,
      }),
    ]);
    const read = await mcp.client.readResource({
      uri: `switchboard://task/${task.id}`,
    });
    expect(textContent(read)).toMatchObject({
      id: task.id,
      status: "in_progress",
    });
  });

  test("subscribe: a person's change notifies; unsubscribe: no more", async () => {
    const task = await callOk<TaskView>(mcp.client, "create_task", {
      title: "Subscribed",
    });
    const uri = `switchboard://task/${task.id}`;
    await mcp.client.subscribeResource({ uri });
    await world.owner.mutation(api.tasks.update, {
      taskId: task.id,
      title: "Subscribed (renamed)",
    });
    await waitFor(() => updated.includes(uri), 10_000, "the update");
    const read = await mcp.client.readResource({ uri });
    expect(textContent(read)).toMatchObject({ title: "Subscribed (renamed)" });

    await mcp.client.unsubscribeResource({ uri });
    updated.length = 0;
    await world.owner.mutation(api.tasks.update, {
      taskId: task.id,
      title: "Renamed again",
    });
    await sleep(500);
    expect(updated).toEqual([]);
  });

  test("a thread resource updates when someone posts", async () => {
    const posted = await callOk<{ threadId: string }>(
      mcp.client,
      "post_message",
      { body: "Watching this thread" },
    );
    const uri = `switchboard://thread/${posted.threadId}`;
    await mcp.client.subscribeResource({ uri });
    updated.length = 0;
    const general = await world.owner.query(api.threads.list, {
      projectId: world.projectId,
      paginationOpts: { numItems: 10, cursor: null },
    });
    const thread = general.page.find((t) => t._id === posted.threadId);
    await world.owner.mutation(api.messages.post, {
      threadId: thread!._id,
      body: "Hello from a person",
    });
    await waitFor(() => updated.includes(uri), 10_000, "the thread update");
    const read = textContent(await mcp.client.readResource({ uri })) as {
      messages: { body: string }[];
    };
    expect(read.messages.at(-1)?.body).toBe("Hello from a person");
  });

  test("a bad URI or a missing resource is a JSON-RPC error that says why", async () => {
    await expect(
      mcp.client.readResource({ uri: "switchboard://nothing/1" }),
    ).rejects.toThrow(
      /switchboard:\/\/task\/\{id\} or switchboard:\/\/thread\/\{id\}/,
    );
    await expect(
      mcp.client.subscribeResource({ uri: "switchboard://task/not-an-id" }),
    ).rejects.toThrow(/INVALID_ARGUMENT/);
  });
});
