/**
 * switchboard-mcp as Claude Code runs it: `node dist/mcp-server.js` spawned
 * with only environment variables, spoken to over stdio by the SDK's client;
 * then raw lines on stdin: malformed JSON, a non-JSON-RPC object and an
 * unknown method leave it answering, and stdout carries JSON-RPC only.
 * Needs `npm run build` (npm test builds first).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TOOLS } from "../../mcp-server/registry";
import { ROOT, waitFor } from "../integration/local-backend/backendProcess";
import {
  callOk,
  startMcpWorld,
  type AgentSecret,
  type McpWorld,
} from "./fixture";

const SERVER = join(ROOT, "dist", "mcp-server.js");

let world: McpWorld;
let agent: AgentSecret;

beforeAll(async () => {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);
  }
  world = await startMcpWorld();
  agent = await world.newAgent("stdio-agent");
});
afterAll(async () => {
  await world.dispose();
});

function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    SWITCHBOARD_DATA_DIR: world.backend.dataDir,
    SWITCHBOARD_TOKEN: agent.secret,
  };
}

describe("over stdio", () => {
  test("initialize, tools/list and a call through the SDK's stdio client", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [SERVER],
      env: serverEnv(),
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on(
      "data",
      (chunk: Buffer) => (stderr += chunk.toString()),
    );
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    await client.connect(transport);
    expect(client.getServerVersion()).toMatchObject({ name: "switchboard" });
    expect(client.getServerCapabilities()).toMatchObject({
      tools: {},
      resources: { subscribe: true },
    });
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(TOOLS.length);
    const context = await callOk<{ me: { name: string } }>(
      client,
      "get_context",
    );
    expect(context.me.name).toBe("stdio-agent");
    await client.close();
    expect(stderr).toMatch(/switchboard-mcp: ready on stdio/);
    expect(stderr).not.toContain(agent.secret);
  });

  test("malformed input never kills it, and stdout is JSON-RPC only", async () => {
    const child = spawn(process.execPath, [SERVER], {
      env: serverEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    const send = (line: string) => child.stdin.write(`${line}\n`);
    const responses = () =>
      stdout
        .split("\n")
        .filter((line) => line !== "")
        .map(
          (line) =>
            JSON.parse(line) as { id?: number; error?: { code: number } },
        );
    const answer = async (id: number) =>
      await waitFor(
        () => responses().find((r) => r.id === id),
        20_000,
        `response ${id}`,
      );

    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      }),
    );
    await answer(1);
    send(
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    );
    send("this is not json {");
    send(JSON.stringify({ hello: "not JSON-RPC" }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "no/such/method" }));
    send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }));
    send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 4,
        method: "tools/call",
        params: { name: "list_tasks", arguments: { limit: "x" } },
      }),
    );
    expect((await answer(2)).error?.code).toBe(-32601);
    const listed = (await answer(3)) as { result?: { tools: unknown[] } };
    expect(listed.result?.tools).toHaveLength(TOOLS.length);
    const failed = (await answer(4)) as {
      result?: { isError: boolean; content: { text: string }[] };
    };
    expect(failed.result?.isError).toBe(true);
    expect(failed.result?.content[0]?.text).toMatch(/`limit` must be a number/);

    // Every byte on stdout was a JSON-RPC message; the noise went to the log.
    for (const message of responses()) {
      expect(message).toMatchObject({ jsonrpc: "2.0" });
    }
    expect(stderr).toMatch(/protocol error/);

    child.stdin.end();
    expect(await exited).toBe(0);
  });

  test("check: says who the token belongs to, read from SWITCHBOARD_TOKEN_FILE; refuses a bad token", async () => {
    const dir = await mkdtemp(join(tmpdir(), "switchboard-check-"));
    try {
      const tokenFile = join(dir, "token");
      await writeFile(tokenFile, `${agent.secret}\n`, { mode: 0o600 });
      const withoutToken: Record<string, string> = { ...serverEnv() };
      delete withoutToken.SWITCHBOARD_TOKEN;
      const ok = await runCli(["check"], {
        ...withoutToken,
        SWITCHBOARD_TOKEN_FILE: tokenFile,
      });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(
        /^switchboard-mcp check: ok, agent "stdio-agent" in project \w+ with \d+ scopes\n$/,
      );
      expect(ok.stdout + ok.stderr).not.toContain(agent.secret);

      const bad = await runCli(["check"], {
        ...serverEnv(),
        SWITCHBOARD_TOKEN: "sba_not-a-real-token",
      });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe("");
      expect(bad.stderr).toMatch(/^switchboard-mcp check: failed: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
