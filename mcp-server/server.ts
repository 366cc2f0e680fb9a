/**
 * `createServer(config)`: the Switchboard MCP server, independent of its
 * transport. main.ts connects it to stdio; tests and benchmarks connect it to
 * the SDK's InMemoryTransport. Uses the SDK's low-level `Server` so that the
 * JSON Schemas derived from the Convex validators are published as they are.
 *
 *   const { server, close } = createServer(configFromEnv());
 *   await server.connect(transport);
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { McpServerConfig } from "./config";
import { Connection } from "./connection";
import { errorText } from "./errors";
import { silentLog, type Log } from "./log";
import { registerResources } from "./resources";
import { callTool, publishTools, visibleTools } from "./tools";

export const SERVER_NAME = "switchboard";
export const SERVER_VERSION = "0.1.0";

const INSTRUCTIONS =
  "Switchboard is the shared board of tasks, threads and approvals you work on with people and other agents. " +
  "Start with get_context. Take work with claim_task and keep its lease alive with update_task; " +
  "talk in threads (post_message, read_thread); ask before risky actions (request_approval); " +
  "when idle, wait_for_updates. Report tokens and cost with report_usage.";

export type SwitchboardMcpServer = {
  server: Server;
  connection: Connection;
  /** Closes the MCP session and the backend connection. */
  close(): Promise<void>;
};

export function createServer(
  config: McpServerConfig,
  options: { log?: Log } = {},
): SwitchboardMcpServer {
  const log = options.log ?? silentLog;
  const server = new Server(
    { name: SERVER_NAME, title: "Switchboard", version: SERVER_VERSION },
    {
      capabilities: { tools: {}, resources: { subscribe: true } },
      instructions: INSTRUCTIONS,
    },
  );
  const connection = new Connection(config, log);
  const published = publishTools();

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    return { tools: await toolsFor(connection, published, log) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const progressToken = request.params._meta?.progressToken;
    let progressCount = 0;
    return await callTool(
      published,
      request.params.name,
      request.params.arguments,
      {
        connection,
        config,
        signal: extra.signal,
        progress: async (message) => {
          if (progressToken === undefined) return;
          progressCount += 1;
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken, progress: progressCount, message },
          });
        },
      },
    );
  });

  const resources = registerResources(server, connection, log);
  // Malformed input and transport trouble are logged; the session carries on.
  server.onerror = (error) => log(`protocol error: ${error.message}`);

  return {
    server,
    connection,
    close: async () => {
      resources.close();
      await server.close();
      await connection.close();
    },
  };
}

/** The tools this token's scopes allow; all of them if the scopes cannot be learned. */
async function toolsFor(
  connection: Connection,
  published: ReturnType<typeof publishTools>,
  log: Log,
): Promise<Tool[]> {
  try {
    return visibleTools(published, await connection.identity());
  } catch (error) {
    log(`listing every tool, scopes unknown: ${errorText(error)}`);
    return visibleTools(published, null);
  }
}
