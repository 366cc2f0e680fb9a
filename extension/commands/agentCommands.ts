/**
 * Giving agents a way in: mint an agent token (shown once), or do that and
 * register the bundled MCP server in the workspace's `.mcp.json` for Claude
 * Code. The secret goes to the person or the file, never to a log.
 */
import { hostname } from "node:os";
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import {
  SERVER_KEY,
  writeMcpJson,
} from "../../mcp-server/setup/registerClaude";
import type { ControlPlane, Session } from "../contracts";
import { UserError } from "../util/errors";
import {
  backendEnv,
  mcpJsonState,
  PERMISSION_PROMPT_FLAG,
  probeNodeOnPath,
  serverLaunch,
} from "./mcpConfig";
import { orgIdOf, projectIdOf, requireSession } from "./session";

type ChosenAgent = { agentId: Id<"agents">; name: string };

const NEW_AGENT = "$(add) New agent…";

const CLAUDE_INSTRUCTIONS =
  "A Claude Code session. Claim one task at a time, keep its lease alive with update_task, ask before risky actions.";

async function pickOrCreateAgent(
  plane: ControlPlane,
  session: Session,
  suggestedName: string,
): Promise<ChosenAgent | undefined> {
  const agents = await plane.query(api.agents.list, {
    orgId: orgIdOf(session),
  });
  const picked = await vscode.window.showQuickPick(
    [
      { label: NEW_AGENT, agent: undefined },
      ...agents.map((agent) => ({
        label: agent.name,
        description: `${agent.kind} · ${agent.trustLevel}`,
        agent,
      })),
    ],
    {
      title: "Which agent is this token for?",
      placeHolder: "An agent of the org, or a new one",
    },
  );
  if (picked === undefined) return undefined;
  if (picked.agent !== undefined) {
    return { agentId: picked.agent._id, name: picked.agent.name };
  }
  const taken = new Set(agents.map((agent) => agent.name));
  const name = await vscode.window.showInputBox({
    title: "New agent: name",
    value: taken.has(suggestedName) ? "" : suggestedName,
    prompt: "How people will see it on the board, e.g. claude-frontend",
    validateInput: (value) =>
      value.trim() === ""
        ? "An agent needs a name."
        : taken.has(value.trim())
          ? "There is an agent with that name already; pick it from the list instead."
          : undefined,
    ignoreFocusOut: true,
  });
  if (name === undefined) return undefined;
  const agentId = await plane.mutation(api.agents.create, {
    orgId: orgIdOf(session),
    name: name.trim(),
    kind: "external",
    instructions: CLAUDE_INSTRUCTIONS,
  });
  return { agentId, name: name.trim() };
}

async function mint(
  plane: ControlPlane,
  session: Session,
  agent: ChosenAgent,
  label: string,
): Promise<{ tokenId: Id<"agentTokens">; token: string }> {
  return await plane.action(api.agentTokens.create, {
    agentId: agent.agentId,
    projectId: projectIdOf(session),
    label,
  });
}

const stamp = () => new Date().toISOString().slice(0, 16).replace("T", " ");

export function agentCommands(plane: ControlPlane, extensionPath: string) {
  return {
    "switchboard.createAgentToken": async () => {
      const session = requireSession(plane);
      const agent = await pickOrCreateAgent(plane, session, "agent");
      if (agent === undefined) return;
      const label = await vscode.window.showInputBox({
        title: `Token for ${agent.name}: label`,
        prompt: "Where it will be used, so you know what to revoke later",
        value: `VS Code ${hostname()} ${stamp()}`,
        ignoreFocusOut: true,
      });
      if (label === undefined) return;
      const { token } = await mint(
        plane,
        session,
        agent,
        label.trim() || "VS Code",
      );
      const copy = await vscode.window.showInformationMessage(
        `Agent token for ${agent.name}`,
        {
          modal: true,
          detail: `${token}\n\nShown only now: Switchboard keeps just its hash. Give it to the agent as SWITCHBOARD_TOKEN (project ${session.projectKey}).`,
        },
        "Copy",
      );
      if (copy === "Copy") {
        await vscode.env.clipboard.writeText(token);
        vscode.window.setStatusBarMessage("Switchboard: token copied", 5_000);
      }
    },

    "switchboard.connectClaudeCode": async () => {
      const session = requireSession(plane);
      const folder = await chooseFolder();
      if (folder === undefined) return;
      const dir = folder.uri.fsPath;
      const state = mcpJsonState(dir);
      if (state === "withSwitchboard") {
        const replace = await vscode.window.showWarningMessage(
          `${folder.name}/.mcp.json already registers a "${SERVER_KEY}" server.`,
          {
            modal: true,
            detail:
              "Replace it with a new token? The old token keeps working until you revoke it.",
          },
          "Replace",
        );
        if (replace !== "Replace") return;
      }
      // Everything that can refuse goes before minting, so a refusal costs no token.
      backendEnv(session);
      const runtime = {
        execPath: process.execPath,
        electron: process.versions.electron,
        nodeOnPath: await probeNodeOnPath(),
      };
      const agent = await pickOrCreateAgent(plane, session, "claude-code");
      if (agent === undefined) return;
      const { token } = await mint(
        plane,
        session,
        agent,
        `Claude Code in ${folder.name} (${hostname()} ${stamp()})`,
      );
      const written = writeMcpJson(
        dir,
        serverLaunch({
          session,
          extensionPath,
          runtime,
          token,
        }),
      );
      const ignored =
        written.excludedIn === null
          ? "Not a git repository: keep the file out of version control, it holds a token."
          : "Git ignores it (info/exclude), since it holds a token.";
      const action = await vscode.window.showInformationMessage(
        `Claude Code connected as ${agent.name}: wrote ${written.path}. ${ignored} Start Claude Code there with "claude ${PERMISSION_PROMPT_FLAG}" so Switchboard answers its permission prompts (Claude Code asks once to trust servers from .mcp.json).`,
        "Open .mcp.json",
        "Copy command",
      );
      if (action === "Open .mcp.json") {
        await vscode.window.showTextDocument(vscode.Uri.file(written.path));
      } else if (action === "Copy command") {
        await vscode.env.clipboard.writeText(
          `claude ${PERMISSION_PROMPT_FLAG}`,
        );
      }
    },
  };
}

async function chooseFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    throw new UserError("Open the folder Claude Code works in first.");
  }
  const folder =
    folders.length === 1
      ? folders[0]
      : await vscode.window.showWorkspaceFolderPick({
          placeHolder: "Which folder does Claude Code run in?",
        });
  if (folder !== undefined && folder.uri.scheme !== "file") {
    throw new UserError(
      `${folder.name} is not on disk, so Claude Code cannot use it.`,
    );
  }
  return folder;
}
