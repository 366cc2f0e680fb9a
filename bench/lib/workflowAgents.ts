/**
 * External agents for the workflow benchmark, each as a real agent runs: its
 * own token, exchanged for a JWT, and its own ConvexClient (WebSocket)
 * subscribed to the query switchboard-mcp's list_tasks calls
 * (agentTasks.list, todo tasks assigned to "me"). A workflow step reaches its
 * agent as such a task; the agent claims it (claim_task, as agents start
 * work) and completes the step at once with agentWorkflows.completeStep (the
 * MCP tool complete_step) as the task's description instructs, recording
 * when it saw the task and when each call returned.
 *
 * Without the claim (`claim: false`) complete_step closes the task itself
 * (todo -> in_progress -> done, as the system); the todo lists recorded here
 * let the run's check prove that no finished step's task stays open.
 */
import type { ConvexClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { exchangeSecret } from "../../mcp-server/tokens";
import type { BackendProcess } from "./backendProcess";
import { wsClient } from "./clients";
import type { Owner } from "./switchboardSetup";

export type BenchAgent = { name: string; agentId: Id<"agents">; jwt: string };

export type StepReceipt = {
  runId: string;
  stepId: string;
  agent: number;
  /** Epoch ms (fractional), the clock the backend's Date.now() uses too. */
  seenAt: number;
  /** When claim_task returned; equal to seenAt without claims. */
  claimedAt: number;
  returnedAt: number;
};

/** Epoch milliseconds with sub-millisecond resolution. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export async function provisionAgents(
  backend: BackendProcess,
  owner: Owner,
  count: number,
): Promise<BenchAgent[]> {
  const agents: BenchAgent[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `wf-agent-${String(i).padStart(2, "0")}`;
    const agentId = await owner.client.mutation(api.agents.create, {
      orgId: owner.orgId,
      name,
      kind: "external",
      trustLevel: "standard",
    });
    const { token } = await owner.client.action(api.agentTokens.create, {
      agentId,
      projectId: owner.projectId,
      label: `${name} (workflow benchmark)`,
    });
    const { token: jwt } = await exchangeSecret(
      backend.siteUrl,
      token,
      "the benchmark's backend",
      10_000,
    );
    agents.push({ name, agentId, jwt });
  }
  return agents;
}

const INSTRUCTIONS = /runId "([^"]+)" and stepId "([^"]+)"/;

export class AgentPool {
  readonly receipts: StepReceipt[] = [];
  readonly errors: string[] = [];
  /** Last time an agent saw or finished a step: the stall detector reads it. */
  lastProgressAt = now();
  /** Each agent's latest todo list: what is still open after a run. */
  readonly todo: { runId: string; stepId: string }[][] = [];
  private readonly handled = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly unsubscribes: (() => void)[] = [];

  private constructor(
    readonly clients: readonly ConvexClient[],
    private readonly projectId: Id<"projects">,
    private readonly claim: boolean,
  ) {}

  static start(
    url: string,
    agents: readonly BenchAgent[],
    projectId: Id<"projects">,
    options: { claim: boolean },
  ): AgentPool {
    const clients = agents.map((agent) => {
      const client = wsClient(url);
      client.setAuth(() => Promise.resolve(agent.jwt));
      return client;
    });
    const pool = new AgentPool(clients, projectId, options.claim);
    clients.forEach((client, i) => pool.watch(client, i));
    return pool;
  }

  completedFor(runId: string): number {
    return this.receipts.filter((r) => r.runId === runId).length;
  }

  private watch(client: ConvexClient, agent: number): void {
    const unsubscribe = client.onUpdate(
      api.agentTasks.list,
      {
        projectId: this.projectId,
        status: "todo",
        assignee: "me",
        limit: 50,
      },
      ({ tasks, hasMore }) => {
        const seenAt = now();
        // At most AGENT_RUNNING_LIMIT steps run per agent: never a full page.
        if (hasMore) {
          this.errors.push(
            `agent ${agent}: more than 50 todo tasks; newer steps' tasks are past the page`,
          );
        }
        const open: { runId: string; stepId: string }[] = [];
        this.todo[agent] = open;
        for (const task of tasks) {
          if (!task.labels.includes("workflow")) continue;
          const match = INSTRUCTIONS.exec(task.description);
          if (match === null) {
            this.errors.push(`agent ${agent}: no step in task ${task.key}`);
            continue;
          }
          const [, runId = "", stepId = ""] = match;
          open.push({ runId, stepId });
          const key = `${runId}/${stepId}`;
          // The task stays "todo" until the claim commits: one call each.
          if (this.handled.has(key)) continue;
          this.handled.add(key);
          this.lastProgressAt = seenAt;
          this.complete(client, agent, task.id, { runId, stepId, seenAt });
        }
      },
      (error) => {
        this.errors.push(`agent ${agent} subscription: ${error.message}`);
      },
    );
    this.unsubscribes.push(unsubscribe);
  }

  private complete(
    client: ConvexClient,
    agent: number,
    taskId: Id<"tasks">,
    step: { runId: string; stepId: string; seenAt: number },
  ): void {
    const work = async (): Promise<void> => {
      let claimedAt = step.seenAt;
      if (this.claim) {
        await client.mutation(api.agentTasks.claim, {
          projectId: this.projectId,
          taskId,
        });
        claimedAt = now();
      }
      await client.mutation(api.agentWorkflows.completeStep, {
        runId: step.runId as Id<"workflowRuns">,
        stepId: step.stepId,
        status: "succeeded",
        output: { agent, ok: true },
      });
      const returnedAt = now();
      this.lastProgressAt = returnedAt;
      this.receipts.push({ ...step, agent, claimedAt, returnedAt });
    };
    const call = work()
      .catch((error: unknown) => {
        this.errors.push(
          `agent ${agent} step ${step.stepId}: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  /** Waits for every complete_step call already made. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Calls still in flight (after a failed run) are abandoned. */
  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await Promise.all(this.clients.map((client) => client.close()));
  }
}
