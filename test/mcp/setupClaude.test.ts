/**
 * `switchboard-mcp setup-claude` (the built CLI) on temp project directories:
 * the .mcp.json route (kept out of git, mode 0600) and the `claude` CLI route
 * (the repo's own Claude Code, with a temp HOME so no real login is touched).
 * Either way a fresh agent token is minted, the secret is never printed, and
 * the registered command really serves the agent.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { ROOT } from "../integration/local-backend/backendProcess";
import { callOk, startMcpWorld, type McpWorld } from "./fixture";

const SERVER = join(ROOT, "dist", "mcp-server.js");
const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const FLAG = "--permission-prompt-tool mcp__switchboard__approval_prompt";

let world: McpWorld;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  world = await startMcpWorld();
});
afterAll(async () => {
  await world.dispose();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

type Run = { code: number | null; stdout: string; stderr: string };

async function setupClaude(
  args: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const child = spawn(process.execPath, [SERVER, "setup-claude", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: tempDir("sb-home-"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) =>
    child.once("close", resolve),
  );
  return { code, stdout, stderr };
}

type Registered = {
  command: string;
  args: string[];
  env: Record<string, string>;
};

/** Starts what was registered, as Claude Code would, and asks who it is. */
async function whoIsServed(server: Registered): Promise<string> {
  const client = new Client({ name: "setup-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: { PATH: process.env.PATH ?? "", ...server.env },
      stderr: "ignore",
    }),
  );
  const context = await callOk<{ me: { name: string } }>(client, "get_context");
  await client.close();
  return context.me.name;
}

async function agentTokens(name: string) {
  const agents = await world.owner.query(api.agents.list, {
    orgId: world.orgId,
  });
  const agent = agents.find((a) => a.name === name);
  if (agent === undefined) return [];
  return await world.owner.query(api.agentTokens.list, { agentId: agent._id });
}

describe("setup-claude", () => {
  test("writes .mcp.json (0600, excluded from git) with a fresh token that works", async () => {
    const project = tempDir("sb-project-");
    expect(spawnSync("git", ["init", "-q", project]).status).toBe(0);
    const run = await setupClaude([
      "--project",
      project,
      "--data-dir",
      world.backend.dataDir,
      "--mcp-json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(FLAG);
    expect(run.stdout).toMatch(/agent: +claude-code \(created/);

    const path = join(project, ".mcp.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(path, "utf8")) as {
      mcpServers: { switchboard: Registered & { type: string } };
    };
    const server = config.mcpServers.switchboard;
    expect(server).toMatchObject({
      type: "stdio",
      command: process.execPath,
      args: [SERVER],
    });
    expect(server.env.SWITCHBOARD_DATA_DIR).toBe(world.backend.dataDir);
    const secret = server.env.SWITCHBOARD_TOKEN!;
    expect(secret).toMatch(/^sba_/);
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(
      readFileSync(join(project, ".git", "info", "exclude"), "utf8"),
    ).toMatch(/^\/\.mcp\.json$/m);
    const status = spawnSync("git", ["status", "--porcelain"], {
      cwd: project,
      encoding: "utf8",
    });
    expect(status.stdout).not.toContain(".mcp.json");

    expect(await whoIsServed(server)).toBe("claude-code");

    // Again: the same agent, a new token, the file updated in place.
    const again = await setupClaude([
      "--project",
      project,
      "--data-dir",
      world.backend.dataDir,
      "--mcp-json",
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/agent: +claude-code \(existing/);
    const updated = JSON.parse(readFileSync(path, "utf8")) as typeof config;
    expect(updated.mcpServers.switchboard.env.SWITCHBOARD_TOKEN).not.toBe(
      secret,
    );
    expect(await agentTokens("claude-code")).toHaveLength(2);
  });

  test("registers with the claude CLI when it is there (-s local, for the project)", async () => {
    const project = tempDir("sb-project-");
    const home = tempDir("sb-home-");
    const run = await setupClaude(
      [
        "--project",
        project,
        "--data-dir",
        world.backend.dataDir,
        "--agent",
        "cli-agent",
        "--claude",
        CLAUDE,
      ],
      { HOME: home },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/claude mcp add-json -s local switchboard/);
    expect(run.stdout).toContain(FLAG);

    const settings = JSON.parse(
      readFileSync(join(home, ".claude.json"), "utf8"),
    ) as {
      projects: Record<string, { mcpServers: Record<string, Registered> }>;
    };
    const server = settings.projects[project]?.mcpServers.switchboard;
    expect(server?.env.SWITCHBOARD_TOKEN).toMatch(/^sba_/);
    expect(run.stdout + run.stderr).not.toContain(
      server!.env.SWITCHBOARD_TOKEN,
    );
    const listed = spawnSync(CLAUDE, ["mcp", "get", "switchboard"], {
      cwd: project,
      env: { ...process.env, HOME: home },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(listed.stdout).toMatch(/Local config/);
    expect(await whoIsServed(server!)).toBe("cli-agent");
    expect(await agentTokens("cli-agent")).toHaveLength(1);
  });

  test("says what is missing: no backend, or an agent's token instead of a person's", async () => {
    const project = tempDir("sb-project-");
    const noBackend = await setupClaude([
      "--project",
      project,
      "--data-dir",
      tempDir("sb-empty-"),
      "--mcp-json",
    ]);
    expect(noBackend.code).toBe(1);
    expect(noBackend.stderr).toMatch(
      /No Switchboard local backend is running.*state\.json/,
    );

    const agent = await world.newAgent("not-a-person");
    const wrongToken = await setupClaude(
      ["--project", project, "--data-dir", world.backend.dataDir, "--mcp-json"],
      { SWITCHBOARD_USER_TOKEN: agent.secret },
    );
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/needs a person's token/);
    expect(wrongToken.stderr).not.toContain(agent.secret);
  });
});
