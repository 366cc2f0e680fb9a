/**
 * The Agents view: every agent of the org, what it is working on in this
 * project, and how long ago it last did anything. Repainted every minute so
 * "5 min ago" stays true between data changes.
 */
import * as vscode from "vscode";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { ControlPlane } from "../contracts";
import {
  agentDescription,
  agentIcon,
  agentTooltipRows,
  sortAgents,
} from "./agentTree";
import type { AgentActivity, AgentNode } from "./nodes";
import { LiveTreeProvider, rowsTooltip, themeIcon } from "./treeBase";

export class AgentsTreeProvider extends LiveTreeProvider<AgentNode> {
  private agents: AgentActivity[] = [];
  private hasLoaded = false;

  constructor(plane: ControlPlane) {
    super(plane);
    this.track(
      plane.watch(
        api.agents.activity,
        (session) => ({ projectId: session.projectId as Id<"projects"> }),
        (agents) => {
          this.agents = sortAgents(agents);
          this.hasLoaded = true;
          this.loaded();
        },
        this.failed,
      ),
    );
    this.tick(60_000);
  }

  protected clear(): void {
    this.agents = [];
    this.hasLoaded = false;
  }

  protected override emptyMessage(): string | undefined {
    return (
      super.emptyMessage() ??
      (this.hasLoaded && this.agents.length === 0
        ? "No agents yet. Create an agent token or connect Claude Code to add one."
        : undefined)
    );
  }

  getChildren(element?: AgentNode): AgentNode[] {
    if (element !== undefined) return [];
    return this.agents.map((agent) => ({ kind: "agent", agent }));
  }

  getTreeItem({ agent }: AgentNode): vscode.TreeItem {
    const projectKey = this.plane.session?.projectKey ?? "";
    const now = Date.now();
    const item = new vscode.TreeItem(agent.name);
    item.id = `agent:${agent.agentId}`;
    item.description = agentDescription(agent, projectKey, now);
    item.iconPath = themeIcon(agentIcon(agent));
    item.tooltip = rowsTooltip(
      agent.name,
      agentTooltipRows(agent, projectKey, now),
    );
    item.contextValue = agent.currentTask === null ? "agent" : "agent.working";
    if (agent.currentTask !== null) {
      // Clicking a busy agent shows its task: that is what people check on.
      item.command = {
        command: "switchboard.openTask",
        title: "Open Task",
        arguments: [{ taskId: agent.currentTask.taskId }],
      };
    }
    return item;
  }
}
