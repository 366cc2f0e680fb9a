/**
 * Reusable setup for MCP tests and benchmarks: a real local backend (a
 * `switchboard-backend serve` process on a temp data dir), its owner signed
 * in over HTTP, agents with freshly minted `sba_` secrets, and switchboard-mcp
 * running in process (createServer + the SDK's InMemoryTransport + Client).
 *
 *   const world = await startMcpWorld();           // beforeAll
 *   const agent = await world.newAgent("builder");
 *   const { client } = await world.connect(agent.secret);
 *   await world.dispose();                          // afterAll
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect } from "vitest";
import type { McpServerConfig } from "../../mcp-server/config";
import {
  createServer,
  type SwitchboardMcpServer,
} from "../../mcp-server/server";
import {
  newAgent,
  startOwnerWorld,
  type AgentSecret,
  type OwnerWorld,
} from "../support/ownerWorld";

export type { AgentSecret };

export type Connected = {
  client: Client;
  mcp: SwitchboardMcpServer;
  close(): Promise<void>;
};

export type McpWorld = OwnerWorld & {
  newAgent(name: string, scopes?: string[]): Promise<AgentSecret>;
  /** switchboard-mcp's config for this backend, found through its data dir as users run it. */
  config(
    secret: string | undefined,
    overrides?: Partial<McpServerConfig>,
  ): McpServerConfig;
  /** The server in process, with an MCP client connected over InMemoryTransport. */
  connect(
    secret: string | undefined,
    overrides?: Partial<McpServerConfig>,
  ): Promise<Connected>;
  dispose(): Promise<void>;
};

/** What useAgentWorld gives a test file once its beforeAll has run. */
export type AgentWorld = {
  world: McpWorld;
  agent: AgentSecret;
  /** switchboard-mcp in process, connected as `agent`. */
  mcp: Connected;
};

/**
 * The usual setup of a test file: a world, one agent named `agentName` and a
 * client connected as it, made in beforeAll and disposed in afterAll. Read the
 * fields inside tests and hooks (they are set once beforeAll has run).
 */
export function useAgentWorld(agentName: string): AgentWorld {
  const env = {} as AgentWorld;
  beforeAll(async () => {
    env.world = await startMcpWorld();
    env.agent = await env.world.newAgent(agentName);
    env.mcp = await env.world.connect(env.agent.secret);
  });
  afterAll(async () => {
    await env.world?.dispose();
  });
  return env;
}

export async function startMcpWorld(): Promise<McpWorld> {
  const base = await startOwnerWorld();
  const { backend } = base;
  const open = new Set<Connected>();

  const world: McpWorld = {
    ...base,
    newAgent: (name, scopes) => newAgent(base, name, scopes),
    config(secret, overrides = {}) {
      return {
        backend: { kind: "dataDir", dataDir: backend.dataDir },
        token: secret,
        waitTimeoutMs: 50_000,
        approvalTimeoutMs: 50_000,
        connectTimeoutMs: 5_000,
        ...overrides,
      };
    },
    async connect(secret, overrides) {
      const connected = await connectInProcess(world.config(secret, overrides));
      open.add(connected);
      return {
        ...connected,
        close: async () => {
          open.delete(connected);
          await connected.close();
        },
      };
    },
    async dispose() {
      await Promise.allSettled([...open].map((c) => c.close()));
      await backend.dispose();
    },
  };
  return world;
}

/** createServer + InMemoryTransport + the SDK's Client: switchboard-mcp in this process. */
export async function connectInProcess(
  config: McpServerConfig,
): Promise<Connected> {
  const mcp = createServer(config);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(serverSide);
  const client = new Client({ name: "switchboard-test", version: "1.0.0" });
  await client.connect(clientSide);
  return {
    client,
    mcp,
    close: async () => {
      await client.close();
      await mcp.close();
    },
  };
}

/** The one text block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  expect(content).toHaveLength(1);
  const [block] = content;
  if (block?.type !== "text") throw new Error("Expected one text block.");
  return block.text;
}

/** Calls a tool that must succeed and parses its JSON answer. */
export async function callOk<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const result = await client.callTool({ name, arguments: args });
  const text = textOf(result);
  expect(result.isError, text).toBeFalsy();
  return JSON.parse(text) as T;
}

/** Calls a tool that must fail and returns its error text. */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const result = await client.callTool({ name, arguments: args });
  const text = textOf(result);
  expect(result.isError, text).toBe(true);
  return text;
}
