/**
 * Proves the e2e harness itself: the real Claude Code CLI, driven by the scripted model,
 * talking to the probe MCP server (test/fixtures/mcp-probe). Later e2e tests drive
 * switchboard-mcp the same way, so every fact they rely on is pinned here: MCP tool
 * calls and results, the --permission-prompt-tool wire format (allow and deny), side
 * requests that must not consume the script, and a readable failure when it runs out.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  describeRun,
  runClaudeCode,
  tsxMcpServer,
  type ClaudeCodeOptions,
  type ClaudeCodeRun,
} from "../../support/claudeCode";
import {
  callTool,
  findTool,
  findToolResult,
  reply,
  say,
  ScriptedModel,
  textOf,
  type ScriptedModelOptions,
  type Turn,
} from "../../support/scriptedModel";
import type { ProbeCall } from "../../fixtures/mcp-probe/server";

const PROBE = "test/fixtures/mcp-probe/server.ts";
const DENY_MESSAGE = "Bash is not allowed here: ask a person first.";
// The marker file proves whether the command really ran, beyond what the model is told.
const BASH_COMMAND = "echo hi && touch bash-ran.marker";

let workDir: string;
let model: ScriptedModel | undefined;
let run: ClaudeCodeRun | undefined;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), "switchboard-harness-"));
});

afterEach(async () => {
  await run?.dispose();
  await model?.close();
  run = undefined;
  model = undefined;
  await rm(workDir, { recursive: true, force: true });
});

async function probeCalls(): Promise<ProbeCall[]> {
  const path = join(workDir, "probe.jsonl");
  if (!existsSync(path)) return [];
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ProbeCall);
}

async function runWithProbe(
  script: Turn[],
  options: Partial<ClaudeCodeOptions> & {
    probeEnv?: Record<string, string>;
    modelOptions?: ScriptedModelOptions;
  },
): Promise<ClaudeCodeRun> {
  const { probeEnv, modelOptions, ...rest } = options;
  model = await ScriptedModel.start(script, modelOptions);
  run = await runClaudeCode({
    prompt: "Use the probe.",
    baseUrl: model.baseUrl,
    mcpServers: {
      probe: tsxMcpServer(PROBE, {
        PROBE_LOG: join(workDir, "probe.jsonl"),
        ...probeEnv,
      }),
    },
    ...rest,
  });
  expect(run.mcpStatus, describeRun(run)).toEqual({ probe: "connected" });
  return run;
}

test("an MCP tool call reaches the server and its result reaches the model", async () => {
  const done = await runWithProbe(
    [
      (request) => {
        expect(
          findTool(request, "mcp__probe__echo")?.input_schema,
        ).toMatchObject({
          required: ["text"],
        });
        return reply(
          say("Echoing."),
          callTool("mcp__probe__echo", { text: "ping" }, "toolu_echo"),
        );
      },
      (request) =>
        reply(
          say(`Probe said: ${findToolResult(request, "toolu_echo")?.text}`),
        ),
    ],
    { allowedTools: ["mcp__probe__echo"] },
  );

  expect(done.exitCode, describeRun(done)).toBe(0);
  model?.assertDone();
  expect((await probeCalls()).map((c) => [c.tool, c.arguments])).toEqual([
    ["echo", { text: "ping" }],
  ]);
  const second = model?.turns()[1]?.body;
  expect(second && findToolResult(second, "toolu_echo")).toEqual({
    toolUseId: "toolu_echo",
    isError: false,
    text: "echo: ping",
  });
  expect(done.result).toMatchObject({
    is_error: false,
    result: "Probe said: echo: ping",
  });
});

describe("--permission-prompt-tool", () => {
  const bashScript = (): Turn[] => [
    reply(
      callTool(
        "Bash",
        { command: BASH_COMMAND, description: "Say hi" },
        "toolu_bash",
      ),
    ),
    "Done.",
  ];
  // `echo hi` alone is read-only, which Claude Code runs without asking anyone; this
  // setting makes every Bash call go through the permission prompt tool.
  const askForBash = {
    permissionPromptTool: "mcp__probe__approve",
    settings: { permissions: { ask: ["Bash"] } },
  };
  const expectedPrompt = {
    tool_name: "Bash",
    input: { command: BASH_COMMAND, description: "Say hi" },
    tool_use_id: "toolu_bash",
  };

  test("allow runs the command and its output reaches the model", async () => {
    const done = await runWithProbe(bashScript(), {
      ...askForBash,
      probeEnv: { PROBE_APPROVE: "allow" },
    });

    expect(done.exitCode, describeRun(done)).toBe(0);
    model?.assertDone();
    const calls = await probeCalls();
    expect(calls.map((c) => [c.tool, c.arguments])).toEqual([
      ["approve", expectedPrompt],
    ]);
    expect(existsSync(join(done.projectDir, "bash-ran.marker"))).toBe(true);
    const second = model?.turns()[1]?.body;
    expect(second && findToolResult(second, "toolu_bash")).toEqual({
      toolUseId: "toolu_bash",
      isError: false,
      text: "hi",
    });
    expect(done.result?.permission_denials).toEqual([]);
  });

  test("deny skips the command and the model receives the message as an error", async () => {
    const done = await runWithProbe(bashScript(), {
      ...askForBash,
      probeEnv: { PROBE_APPROVE: "deny", PROBE_DENY_MESSAGE: DENY_MESSAGE },
    });

    expect(done.exitCode, describeRun(done)).toBe(0);
    model?.assertDone();
    const calls = await probeCalls();
    expect(calls.map((c) => [c.tool, c.arguments])).toEqual([
      ["approve", expectedPrompt],
    ]);
    expect(existsSync(join(done.projectDir, "bash-ran.marker"))).toBe(false);
    const second = model?.turns()[1]?.body;
    expect(second && findToolResult(second, "toolu_bash")).toEqual({
      toolUseId: "toolu_bash",
      isError: true,
      text: DENY_MESSAGE,
    });
    expect(done.result?.permission_denials).toEqual([
      {
        tool_name: "Bash",
        tool_use_id: "toolu_bash",
        tool_input: expectedPrompt.input,
      },
    ]);
  });
});

test("side requests are answered without consuming the script", async () => {
  // --prompt-suggestions makes Claude Code fork the conversation after the last turn,
  // with the same tools and system prompt: the hardest kind of side request to tell apart.
  // (It only does so after a conversation with a tool call, hence the echo.)
  const done = await runWithProbe(
    [reply(callTool("mcp__probe__echo", { text: "ping" })), "Nothing to do."],
    {
      allowedTools: ["mcp__probe__echo"],
      extraArgs: ["--prompt-suggestions"],
      modelOptions: { sideReply: () => "run the tests" },
      // Also lets Claude Code send its HEAD /api/hello connectivity probe.
      env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: undefined },
    },
  );

  expect(done.exitCode, describeRun(done)).toBe(0);
  model?.assertDone();
  expect(done.result?.result).toBe("Nothing to do.");
  const side = model?.sideRequests() ?? [];
  expect(side.length, model?.describe()).toBeGreaterThan(0);
  const lastUser = side[0]?.body?.messages.at(-1);
  expect(textOf(lastUser?.content)).toContain("[SUGGESTION MODE");
  expect(done.events).toContainEqual(
    expect.objectContaining({
      type: "prompt_suggestion",
      suggestion: "run the tests",
    }),
  );
  expect(model?.requests).toContainEqual(
    expect.objectContaining({
      kind: "probe",
      method: "HEAD",
      path: "/api/hello",
    }),
  );
});

test("an exhausted script fails the run with a readable reason", async () => {
  const done = await runWithProbe(
    [reply(callTool("mcp__probe__echo", { text: "once" }, "toolu_once"))],
    { allowedTools: ["mcp__probe__echo"] },
  );

  expect(done.result).toMatchObject({ is_error: true, api_error_status: 500 });
  expect(done.result?.result).toContain("script exhausted");
  expect(model?.failures).toEqual([
    expect.stringContaining("script exhausted: no step for turn 1"),
  ]);
  expect(() => model?.assertDone()).toThrow(/script exhausted/);
  expect((await probeCalls()).map((c) => c.arguments)).toEqual([
    { text: "once" },
  ]);
});

test("a run that hangs is killed at its timeout, MCP servers included", async () => {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  model = await ScriptedModel.start([
    async () => {
      await gate;
      return "Too late.";
    },
  ]);
  const pidFile = join(workDir, "probe.pid");
  const started = Date.now();

  await expect(
    runClaudeCode({
      prompt: "Hang.",
      baseUrl: model.baseUrl,
      mcpServers: { probe: tsxMcpServer(PROBE, { PROBE_PID_FILE: pidFile }) },
      timeoutMs: 8_000,
    }),
  ).rejects.toThrow(/Claude Code did not finish within 8000 ms \(killed\)/);
  release();

  expect(Date.now() - started).toBeLessThan(20_000);
  expect(model.turns()).toHaveLength(1);
  const probePid = Number(await readFile(pidFile, "utf8"));
  await expect.poll(() => isAlive(probePid), { timeout: 3_000 }).toBe(false);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
