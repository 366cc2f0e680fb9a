/**
 * Shared by switchboard*.test.ts: switchboard-mcp as Claude Code runs it (the built
 * dist/mcp-server.js, configured by environment variables only), reading what the model
 * was told, and a person deciding an approval while Claude Code waits for the answer.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { api } from "../../../convex/_generated/api";
import type { Doc, Id } from "../../../convex/_generated/dataModel";
import { ROOT, waitFor } from "../../integration/local-backend/backendProcess";
import type { McpWorld } from "../../mcp/fixture";
import type { ClaudeCodeRun, McpServerConfig } from "../../support/claudeCode";
import {
  findToolResult,
  type FoundToolResult,
  type MessagesRequest,
  type ScriptedModel,
} from "../../support/scriptedModel";

export const SERVER = join(ROOT, "dist", "mcp-server.js");

/** How Claude Code names switchboard's tools, given the server name "switchboard". */
export function tool(name: string): string {
  return `mcp__switchboard__${name}`;
}

/** The mcpServers entry users get from setup-claude: node, the built server, two variables. */
export function switchboardServer(
  world: McpWorld,
  secret: string,
  env: Record<string, string> = {},
): McpServerConfig {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run \`npm run build\` first.`);
  }
  return {
    command: process.execPath,
    args: [SERVER],
    env: {
      SWITCHBOARD_TOKEN: secret,
      SWITCHBOARD_DATA_DIR: world.backend.dataDir,
      ...env,
    },
  };
}

/**
 * The JSON a switchboard tool answered, as the model received it. Throws when the result
 * is missing or an error, which fails the script step with that reason (the scripted
 * model records it), so a broken step reads as what went wrong, not as a later mismatch.
 */
export function toolJson<T>(request: MessagesRequest, toolUseId: string): T {
  const found = findToolResult(request, toolUseId);
  if (found === undefined) throw new Error(`no tool_result for ${toolUseId}`);
  if (found.isError) {
    throw new Error(`${toolUseId} answered an error: ${found.text}`);
  }
  return JSON.parse(found.text) as T;
}

/** The tool_result for toolUseId in the request that script step `turn` answered. */
export function receivedAt(
  model: ScriptedModel,
  turn: number,
  toolUseId: string,
): FoundToolResult | undefined {
  const body = model.turns()[turn]?.body;
  return body && findToolResult(body, toolUseId);
}

/**
 * Runs Claude Code while a person (the test, as a second client) acts on the control
 * plane, and waits for both. The person sees `runOver()` turn true once Claude Code has
 * exited, so it can stop waiting for something that will never come. Either failure is
 * thrown only after both have settled: nothing keeps running behind a failed test.
 */
export async function alongside<T>(
  run: Promise<ClaudeCodeRun>,
  person: (runOver: () => boolean) => Promise<T>,
): Promise<{ run: ClaudeCodeRun; decision: T }> {
  let over = false;
  const finished = run.finally(() => {
    over = true;
  });
  const [ran, decided] = await Promise.allSettled([
    finished,
    person(() => over),
  ]);
  if (ran.status === "rejected") throw toError(ran.reason);
  if (decided.status === "rejected") throw toError(decided.reason);
  return { run: ran.value, decision: decided.value };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** The agent's pending approval, as people see it in their inbox, once it exists. */
export async function pendingApprovalOf(
  world: McpWorld,
  agentId: Id<"agents">,
  runOver: () => boolean,
): Promise<Doc<"approvals">> {
  return await waitFor(
    async () => {
      if (runOver()) {
        throw new Error("Claude Code finished without asking for an approval");
      }
      const { approvals } = await world.owner.query(api.approvals.listPending, {
        projectId: world.projectId,
      });
      return approvals.find((a) => a.requesterId === agentId) ?? null;
    },
    60_000,
    "the agent's pending approval",
  );
}

/** The agent's approvals (newest first) in one status: the history people browse. */
export async function decided(
  world: McpWorld,
  agentId: Id<"agents">,
  status: "approved" | "rejected",
): Promise<Doc<"approvals">[]> {
  const { page } = await world.owner.query(api.approvals.list, {
    projectId: world.projectId,
    status,
    paginationOpts: { numItems: 50, cursor: null },
  });
  return page.filter((approval) => approval.requesterId === agentId);
}

/** True when no request of the agent waits for a person. */
export async function nothingPending(
  world: McpWorld,
  agentId: Id<"agents">,
): Promise<boolean> {
  const { approvals } = await world.owner.query(api.approvals.listPending, {
    projectId: world.projectId,
  });
  return !approvals.some((approval) => approval.requesterId === agentId);
}

export async function ownerId(world: McpWorld): Promise<Id<"users">> {
  const me = await world.owner.query(api.me.get, {});
  if (me.kind !== "user") throw new Error("The owner client is not a user.");
  return me.userId;
}

/** [action, actor] of the audit events about one record, oldest first. */
export async function auditTrail(
  world: McpWorld,
  entity: Doc<"auditEvents">["entity"],
  entityId: string,
): Promise<[string, string][]> {
  const { page } = await world.owner.query(api.audit.list, {
    orgId: world.orgId,
    entity: { entity, entityId },
    paginationOpts: { numItems: 50, cursor: null },
  });
  return page.reverse().map((event) => [event.action, event.actor]);
}
