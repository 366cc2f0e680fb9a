/** The Agents view's wording as pure functions of the activity query and "now". */
import { relativeTime, taskKey, truncate } from "./format";
import type { AgentActivity } from "./nodes";
import type { IconSpec } from "./taskTree";

/** Busy agents first (they are what people check on), then by most recent activity. */
export function sortAgents(agents: readonly AgentActivity[]): AgentActivity[] {
  return [...agents].sort((a, b) => {
    const busy =
      Number(b.currentTask !== null) - Number(a.currentTask !== null);
    if (busy !== 0) return busy;
    const recent = (b.lastActiveAt ?? 0) - (a.lastActiveAt ?? 0);
    return recent !== 0 ? recent : a.name.localeCompare(b.name);
  });
}

export function lastActiveText(agent: AgentActivity, now: number): string {
  return agent.lastActiveAt === null
    ? "never active"
    : `active ${relativeTime(agent.lastActiveAt, now)}`;
}

/** "working on SB-4 Fix login · active 5 min ago", or "idle · never active". */
export function agentDescription(
  agent: AgentActivity,
  projectKey: string,
  now: number,
): string {
  const doing =
    agent.currentTask === null
      ? "idle"
      : `working on ${taskKey(projectKey, agent.currentTask.number)} ${truncate(agent.currentTask.title, 40)}`;
  return `${doing} · ${lastActiveText(agent, now)}`;
}

export function agentIcon(agent: AgentActivity): IconSpec {
  return agent.currentTask === null
    ? { id: "hubot" }
    : { id: "hubot", color: "charts.blue" };
}

export function agentTooltipRows(
  agent: AgentActivity,
  projectKey: string,
  now: number,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    [
      "Kind",
      agent.kind === "native"
        ? "native (runs in Switchboard)"
        : "external (e.g. Claude Code)",
    ],
    ["Trust", agent.trustLevel],
    [
      "Working on",
      agent.currentTask === null
        ? "nothing in progress"
        : `${taskKey(projectKey, agent.currentTask.number)} ${agent.currentTask.title}`,
    ],
    [
      "Last activity",
      agent.lastActiveAt === null
        ? "never"
        : `${relativeTime(agent.lastActiveAt, now)} (${new Date(agent.lastActiveAt).toLocaleString()})`,
    ],
  ];
  return rows;
}
