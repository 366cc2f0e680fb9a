/**
 * Resources: `switchboard://task/{id}` (the task) and
 * `switchboard://thread/{id}` (the thread and its latest messages), as JSON.
 * `resources/subscribe` holds a live Convex subscription per URI and sends
 * `notifications/resources/updated` whenever the document changes; the
 * client then reads it again. Resources are not tools, so failures here are
 * JSON-RPC errors with the same actionable text.
 */
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type Resource,
} from "@modelcontextprotocol/sdk/types.js";
import type { FunctionReference } from "convex/server";
import { api } from "../convex/_generated/api";
import type { TaskView } from "../convex/model/views";
import type { Connection } from "./connection";
import { errorText } from "./errors";
import type { Log } from "./log";

const MIME = "application/json";

type Target = {
  query: FunctionReference<"query">;
  args: Record<string, unknown>;
};

/** What a URI names, or an InvalidParams error saying what URIs look like. */
export function parseResourceUri(uri: string): Target {
  const match = /^switchboard:\/\/(task|thread)\/([A-Za-z0-9_-]+)$/.exec(uri);
  if (match === null) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown resource ${uri}: use switchboard://task/{id} or switchboard://thread/{id}.`,
    );
  }
  const [, kind, id] = match;
  return kind === "task"
    ? { query: api.agentTasks.get, args: { taskId: id } }
    : { query: api.agentThreads.read, args: { threadId: id } };
}

function failure(error: unknown): McpError {
  return error instanceof McpError
    ? error
    : new McpError(ErrorCode.InternalError, errorText(error));
}

export function registerResources(
  server: Server,
  connection: Connection,
  log: Log,
): { close(): void } {
  const subscriptions = new Map<string, () => void>();

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: "switchboard://task/{id}",
        name: "task",
        title: "Switchboard task",
        description: "A task: status, lease, dependencies, branch and PR.",
        mimeType: MIME,
      },
      {
        uriTemplate: "switchboard://thread/{id}",
        name: "thread",
        title: "Switchboard thread",
        description: "A thread and its latest messages.",
        mimeType: MIME,
      },
    ],
  }));

  // The tasks the agent is working on: the resources it most likely wants.
  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    try {
      const context = (await connection.query(api.agentContext.get, {})) as {
        currentTasks: TaskView[];
      };
      const resources: Resource[] = context.currentTasks.map((task) => ({
        uri: `switchboard://task/${task.id}`,
        name: task.key,
        title: `${task.key}: ${task.title}`,
        mimeType: MIME,
      }));
      return { resources };
    } catch (error) {
      throw failure(error);
    }
  });

  server.setRequestHandler(ReadResourceRequestSchema, async ({ params }) => {
    const target = parseResourceUri(params.uri);
    try {
      const value = await connection.query(target.query, target.args);
      return {
        contents: [
          { uri: params.uri, mimeType: MIME, text: JSON.stringify(value) },
        ],
      };
    } catch (error) {
      throw failure(error);
    }
  });

  server.setRequestHandler(SubscribeRequestSchema, async ({ params }) => {
    const { uri } = params;
    const target = parseResourceUri(uri);
    if (subscriptions.has(uri)) return {};
    try {
      // Read once first: a missing or forbidden resource fails the subscribe itself.
      let last = JSON.stringify(
        await connection.query(target.query, target.args),
      );
      const stop = await connection.watch(
        target.query,
        target.args,
        (value) => {
          const text = JSON.stringify(value);
          const changed = text !== last;
          last = text;
          if (changed) {
            server.sendResourceUpdated({ uri }).catch((error: unknown) => {
              log(`could not notify ${uri}: ${String(error)}`);
            });
          }
        },
        (error) => {
          log(`subscription to ${uri} ended: ${errorText(error)}`);
          subscriptions.get(uri)?.();
          subscriptions.delete(uri);
        },
      );
      subscriptions.set(uri, stop);
      return {};
    } catch (error) {
      throw failure(error);
    }
  });

  server.setRequestHandler(UnsubscribeRequestSchema, ({ params }) => {
    subscriptions.get(params.uri)?.();
    subscriptions.delete(params.uri);
    return {};
  });

  return {
    close() {
      for (const stop of subscriptions.values()) stop();
      subscriptions.clear();
    },
  };
}
