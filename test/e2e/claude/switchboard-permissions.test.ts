/**
 * Claude Code asking switchboard-mcp's approval_prompt (`--permission-prompt-tool
 * mcp__switchboard__approval_prompt`) before a Bash command, with the real CLI, the built
 * server and a real local backend: the agent's rules answer at once, otherwise a person
 * decides (the test, as the owner's client), and nobody deciding in time is a deny. Each
 * run checks that the command really ran or not (a marker file), what the model was told,
 * and the decision on record in the approvals history and the audit trail.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Doc, Id } from "../../../convex/_generated/dataModel";
import { waitFor } from "../../integration/local-backend/backendProcess";
import { startMcpWorld, type McpWorld } from "../../mcp/fixture";
import {
  describeRun,
  runClaudeCode,
  type ClaudeCodeRun,
} from "../../support/claudeCode";
import {
  callTool,
  reply,
  ScriptedModel,
  type FoundToolResult,
  type Turn,
} from "../../support/scriptedModel";
import {
  alongside,
  auditTrail,
  decided,
  nothingPending,
  ownerId,
  pendingApprovalOf,
  receivedAt,
  switchboardServer,
  tool,
} from "./switchboardSupport";

const MARKER = "bash-ran.marker";

let world: McpWorld;
let owner: Id<"users">;
let model: ScriptedModel | undefined;
let run: ClaudeCodeRun | undefined;

beforeAll(async () => {
  world = await startMcpWorld();
  owner = await ownerId(world);
});
afterEach(async () => {
  await run?.dispose();
  await model?.close();
  run = undefined;
  model = undefined;
});
afterAll(async () => {
  await world?.dispose();
});

/** `echo WORD && touch MARKER`: its output tells the model it ran, the marker tells us. */
function commandSaying(word: string): string {
  return `echo ${word} && touch ${MARKER}`;
}

/** One Bash call, then a closing line once the model has its result. */
function bashScript(command: string): Turn[] {
  return [
    reply(
      callTool("Bash", { command, description: "Say a word" }, "toolu_bash"),
    ),
    "Done.",
  ];
}

/**
 * Runs Claude Code for one Bash call with approval_prompt as its permission prompt tool.
 * `approvalTimeoutMs` bounds how long a person has: short where none is expected, so a
 * rule that fails to match shows up as a quick deny rather than a long wait.
 */
async function startBashRun(
  secret: string,
  command: string,
  approvalTimeoutMs: number,
): Promise<ClaudeCodeRun> {
  model = await ScriptedModel.start(bashScript(command));
  run = await runClaudeCode({
    prompt: "Say a word in the shell.",
    baseUrl: model.baseUrl,
    mcpServers: {
      switchboard: switchboardServer(world, secret, {
        SWITCHBOARD_APPROVAL_TIMEOUT_MS: String(approvalTimeoutMs),
      }),
    },
    permissionPromptTool: tool("approval_prompt"),
    // `echo` alone is read-only and would run without asking anyone (see harness.test.ts).
    settings: { permissions: { ask: ["Bash"] } },
    timeoutMs: 60_000,
  });
  return run;
}

/** What the model was told about its Bash call, once the run is over. */
function bashResult(done: ClaudeCodeRun): FoundToolResult | undefined {
  expect(done.mcpStatus, describeRun(done)).toEqual({
    switchboard: "connected",
  });
  expect(done.exitCode, describeRun(done)).toBe(0);
  model?.assertDone();
  return model && receivedAt(model, 1, "toolu_bash");
}

function ran(done: ClaudeCodeRun): boolean {
  return existsSync(join(done.projectDir, MARKER));
}

describe("by the agent's approval rules", () => {
  test("an allow rule lets the command run and its output reach the model", async () => {
    const agent = await world.newAgent("ruled-allow");
    const ruleId = await world.owner.mutation(api.approvalRules.add, {
      agentId: agent.agentId,
      toolPattern: "Bash",
      inputPattern: "echo allowed-by-rule*",
      effect: "allow",
    });
    const command = commandSaying("allowed-by-rule");

    const done = await startBashRun(agent.secret, command, 5_000);

    expect(bashResult(done)).toEqual({
      toolUseId: "toolu_bash",
      isError: false,
      text: "allowed-by-rule",
    });
    expect(ran(done)).toBe(true);
    expect(done.result?.permission_denials).toEqual([]);
    const [approval, ...others] = await decided(
      world,
      agent.agentId,
      "approved",
    );
    expect(others).toEqual([]);
    expect(approval).toMatchObject({
      kind: "tool_use",
      summary: `Bash: ${command}`,
      resolverId: "system",
      ruleId,
    });
    expect(JSON.parse(approval!.details)).toEqual({
      tool_name: "Bash",
      input: { command, description: "Say a word" },
      tool_use_id: "toolu_bash",
    });
    expect(await auditTrail(world, "approval", approval!._id)).toEqual([
      ["approval.rule_allowed", agent.agentId],
    ]);
    expect(await nothingPending(world, agent.agentId)).toBe(true);
  });

  test("a deny rule (winning over an allow) skips the command and the model gets its reason as an error", async () => {
    const agent = await world.newAgent("ruled-deny");
    const reason = "No files are touched from this agent's shell.";
    await world.owner.mutation(api.approvalRules.add, {
      agentId: agent.agentId,
      toolPattern: "Bash",
      effect: "allow",
    });
    const denyId = await world.owner.mutation(api.approvalRules.add, {
      agentId: agent.agentId,
      toolPattern: "Bash",
      inputPattern: "*touch *",
      effect: "deny",
      reason,
    });
    const command = commandSaying("denied-by-rule");

    const done = await startBashRun(agent.secret, command, 5_000);

    expect(bashResult(done)).toEqual({
      toolUseId: "toolu_bash",
      isError: true,
      text: reason,
    });
    expect(ran(done)).toBe(false);
    expect(done.result?.permission_denials).toEqual([
      {
        tool_name: "Bash",
        tool_use_id: "toolu_bash",
        tool_input: { command, description: "Say a word" },
      },
    ]);
    expect(await decided(world, agent.agentId, "approved")).toEqual([]);
    const [approval, ...others] = await decided(
      world,
      agent.agentId,
      "rejected",
    );
    expect(others).toEqual([]);
    expect(approval).toMatchObject({
      kind: "tool_use",
      summary: `Bash: ${command}`,
      resolverId: "system",
      reason,
      ruleId: denyId,
    });
    expect(await auditTrail(world, "approval", approval!._id)).toEqual([
      ["approval.rule_denied", agent.agentId],
    ]);
    expect(await nothingPending(world, agent.agentId)).toBe(true);
  });
});

describe("by a person, while Claude Code waits", () => {
  /** Runs the Bash call while the owner decides the pending approval it creates. */
  async function decideWhileRunning(
    agent: { agentId: Id<"agents">; secret: string },
    command: string,
    decision: "approve" | "reject",
    reason?: string,
  ): Promise<{ done: ClaudeCodeRun; approval: Doc<"approvals"> }> {
    const { run: done, decision: approval } = await alongside(
      startBashRun(agent.secret, command, 30_000),
      async (runOver) => {
        const pending = await pendingApprovalOf(world, agent.agentId, runOver);
        // Claude Code's own tool_use_id travelled through approval_prompt to people.
        expect(pending).toMatchObject({
          kind: "tool_use",
          summary: `Bash: ${command}`,
        });
        expect(JSON.parse(pending.details)).toMatchObject({
          tool_use_id: "toolu_bash",
        });
        return await world.owner.mutation(api.approvals.resolve, {
          approvalId: pending._id,
          decision,
          ...(reason === undefined ? {} : { reason }),
        });
      },
    );
    return { done, approval };
  }

  test("approval runs the command", async () => {
    const agent = await world.newAgent("person-approves");
    const command = commandSaying("approved-by-person");

    const { done, approval } = await decideWhileRunning(
      agent,
      command,
      "approve",
    );

    expect(bashResult(done)).toEqual({
      toolUseId: "toolu_bash",
      isError: false,
      text: "approved-by-person",
    });
    expect(ran(done)).toBe(true);
    const approved = await decided(world, agent.agentId, "approved");
    expect(approved).toEqual([
      expect.objectContaining({ _id: approval._id, resolverId: owner }),
    ]);
    // A person decided it, not a rule.
    expect(approved[0]?.ruleId).toBeUndefined();
    expect(await auditTrail(world, "approval", approval._id)).toEqual([
      ["approval.request", agent.agentId],
      ["approval.approved", owner],
    ]);
  });

  test("rejection skips the command and the person's reason reaches the model", async () => {
    const agent = await world.newAgent("person-rejects");
    const command = commandSaying("rejected-by-person");
    const reason = "Not before the release is cut.";

    const { done, approval } = await decideWhileRunning(
      agent,
      command,
      "reject",
      reason,
    );

    expect(bashResult(done)).toEqual({
      toolUseId: "toolu_bash",
      isError: true,
      text: `A person rejected this request: ${reason}`,
    });
    expect(ran(done)).toBe(false);
    expect(done.result?.permission_denials).toHaveLength(1);
    expect(await decided(world, agent.agentId, "rejected")).toEqual([
      expect.objectContaining({
        _id: approval._id,
        resolverId: owner,
        reason,
      }),
    ]);
    expect(await auditTrail(world, "approval", approval._id)).toEqual([
      ["approval.request", agent.agentId],
      ["approval.rejected", owner],
    ]);
  });

  test("nobody deciding in time is a deny the model is told about", async () => {
    const agent = await world.newAgent("nobody-decides");
    const command = commandSaying("never-decided");

    const done = await startBashRun(agent.secret, command, 1_500);

    const told = bashResult(done);
    expect(told).toMatchObject({ toolUseId: "toolu_bash", isError: true });
    expect(told?.text).toMatch(/^No decision within 2 s, so this is denied/);
    expect(ran(done)).toBe(false);
    // The backend's expiry job settles it at the deadline; the server stops waiting for
    // it 3 s later either way, so on a loaded machine the record can trail the answer.
    const [approval, ...others] = await waitFor(
      async () => {
        const found = await decided(world, agent.agentId, "rejected");
        return found.length > 0 ? found : null;
      },
      10_000,
      "the expired approval",
    );
    expect(others).toEqual([]);
    expect(approval).toMatchObject({
      kind: "tool_use",
      summary: `Bash: ${command}`,
      resolverId: "system",
    });
    expect(told?.text).toContain(approval!._id);
    expect(await nothingPending(world, agent.agentId)).toBe(true);
    expect(await auditTrail(world, "approval", approval!._id)).toEqual([
      ["approval.request", agent.agentId],
      ["approval.rejected", "system"],
    ]);
  });
});
