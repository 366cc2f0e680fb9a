/**
 * The floor for MCP tool-call round trips (bench/mcp-server.ts): a stdio server on
 * the same SDK with one `echo` tool that answers at once, bundled and started the
 * same way as switchboard-mcp. What switchboard-mcp adds above this is its own work
 * (argument checks, the Convex call, the backend's function, formatting).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const server = new Server(
  { name: "echo", version: "1.0.0" },
  { capabilities: { tools: {} } },
);
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [
    {
      name: "echo",
      description: "Returns its input.",
      inputSchema: {
        type: "object" as const,
        properties: { text: { type: "string" } },
      },
    },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, (request) => ({
  content: [{ type: "text", text: JSON.stringify(request.params.arguments) }],
}));
server.connect(new StdioServerTransport()).catch((error: unknown) => {
  process.stderr.write(`echo server failed: ${String(error)}\n`);
  process.exit(1);
});
