import { describe, expect, test } from "vitest";
import {
  agentDescription,
  agentIcon,
  agentTooltipRows,
  sortAgents,
} from "../../../../extension/views/agentTree";
import type { AgentActivity } from "../../../../extension/views/nodes";
import { loose, MIN, NOW, type Loose } from "./fixtures";

function agent(
  overrides: Partial<Loose<AgentActivity>> & { name: string },
): AgentActivity {
  return loose<AgentActivity>({
    agentId: `id-${overrides.name}`,
    kind: "external",
    trustLevel: "standard",
    currentTask: null,
    lastActiveAt: null,
    ...overrides,
  });
}

const task = { taskId: "t4", number: 4, title: "Fix login" };

describe("agents", () => {
  test("busy first, then most recently active, then by name", () => {
    const sorted = sortAgents([
      agent({ name: "idle-old", lastActiveAt: NOW - 60 * MIN }),
      agent({ name: "never" }),
      agent({ name: "busy", currentTask: task, lastActiveAt: NOW - 90 * MIN }),
      agent({ name: "idle-new", lastActiveAt: NOW - MIN }),
      agent({ name: "also-never" }),
    ]);
    expect(sorted.map((a) => a.name)).toEqual([
      "busy",
      "idle-new",
      "idle-old",
      "also-never",
      "never",
    ]);
  });

  test("what it does and when it last did anything", () => {
    expect(
      agentDescription(
        agent({ name: "c", currentTask: task, lastActiveAt: NOW - 5 * MIN }),
        "SB",
        NOW,
      ),
    ).toBe("working on SB-4 Fix login · active 5 min ago");
    expect(agentDescription(agent({ name: "c" }), "SB", NOW)).toBe(
      "idle · never active",
    );
    expect(agentIcon(agent({ name: "c", currentTask: task })).color).toBe(
      "charts.blue",
    );
  });

  test("tooltip names kind, trust and task", () => {
    const rows = Object.fromEntries(
      agentTooltipRows(
        agent({ name: "c", trustLevel: "trusted", currentTask: task }),
        "SB",
        NOW,
      ),
    );
    expect(rows).toMatchObject({
      Trust: "trusted",
      "Working on": "SB-4 Fix login",
      "Last activity": "never",
    });
  });
});
