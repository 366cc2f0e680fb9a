/**
 * The other participants of the VS Code end-to-end tests: a second client signed
 * in as the same owner (another window, another machine) and an agent with its
 * own token (a Claude Code session), both official ConvexClients over WebSocket
 * against the local backend the extension started.
 */
import { setTimeout as delay } from "node:timers/promises";
import { ConvexClient } from "convex/browser";
import type { FunctionReturnType } from "convex/server";
import WebSocket from "ws";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import {
  findRunningBackend,
  type BackendState,
} from "../../../local-backend/discovery";
import { readOwnerToken } from "../../../local-backend/switchboardApp";
import { exchangeSecret } from "../../../mcp-server/tokens";

type Task = FunctionReturnType<typeof api.tasks.get>;
type Approval = FunctionReturnType<typeof api.approvals.get>;

/** Polls `read` until it returns a value other than undefined. */
export async function waitFor<T>(
  read: () => Promise<T | undefined>,
  timeoutMs: number,
  what = "the condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await delay(100);
  }
}

/** The backend the extension started in `dataDir` (its global storage). */
export async function waitForBackend(
  dataDir: string,
  timeoutMs: number,
): Promise<BackendState> {
  return await waitFor(
    async () => (await findRunningBackend(dataDir)) ?? undefined,
    timeoutMs,
    `a running local backend in ${dataDir}`,
  );
}

function convexClient(url: string, secret: string, siteUrl: string) {
  const client = new ConvexClient(url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  client.setAuth(
    async () =>
      (await exchangeSecret(siteUrl, secret, "the e2e test", 10_000)).token,
  );
  return client;
}

/** Resolves once `query`'s value satisfies `done` (a live subscription, not polling). */
function waitForValue<T>(
  client: ConvexClient,
  subscribe: (onValue: (value: T) => void) => () => void,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    let last: T | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(
          `${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
        ),
      );
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      last = value;
      if (!done(value)) return;
      clearTimeout(timer);
      // Unsubscribing inside the callback is fine: the client defers it.
      queueMicrotask(unsubscribe);
      resolvePromise(value);
    });
    void client;
  });
}

export type OwnerClient = {
  client: ConvexClient;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
  projectKey: string;
  siteUrl: string;
  url: string;
  waitForTask(
    taskId: Id<"tasks">,
    done: (task: Task) => boolean,
    timeoutMs: number,
  ): Promise<Task>;
  waitForApproval(
    approvalId: Id<"approvals">,
    done: (approval: Approval) => boolean,
    timeoutMs: number,
  ): Promise<Approval>;
  close(): Promise<void>;
};

export async function connectOwner(
  backend: BackendState,
  dataDir: string,
): Promise<OwnerClient> {
  const secret = readOwnerToken(dataDir);
  if (secret === null) throw new Error(`no owner token in ${dataDir}`);
  const client = convexClient(backend.url, secret, backend.siteUrl);
  const [org] = await client.query(api.orgs.listMine, {});
  if (org === undefined) throw new Error("the owner has no org");
  const [project] = await client.query(api.projects.list, {
    orgId: org.orgId,
  });
  if (project === undefined) throw new Error("the org has no project");
  return {
    client,
    orgId: org.orgId,
    projectId: project._id,
    projectKey: project.key,
    url: backend.url,
    siteUrl: backend.siteUrl,
    waitForTask: (taskId, done, timeoutMs) =>
      waitForValue<Task>(
        client,
        (onValue) => client.onUpdate(api.tasks.get, { taskId }, onValue),
        done,
        timeoutMs,
        `task ${taskId}`,
      ),
    waitForApproval: (approvalId, done, timeoutMs) =>
      waitForValue<Approval>(
        client,
        (onValue) =>
          client.onUpdate(api.approvals.get, { approvalId }, onValue),
        done,
        timeoutMs,
        `approval ${approvalId}`,
      ),
    close: () => client.close(),
  };
}

export type AgentClient = {
  agentId: Id<"agents">;
  requestApproval(
    taskId: Id<"tasks">,
    summary: string,
  ): Promise<Id<"approvals">>;
  /** What an agent's complete_step does: the step succeeded with `output`. */
  completeStep(
    runId: Id<"workflowRuns">,
    stepId: string,
    output: Record<string, string | number>,
  ): Promise<void>;
  close(): Promise<void>;
};

/** A new agent of the owner's org with a token for the owner's project. */
export async function provisionAgentClient(
  owner: OwnerClient,
  name: string,
): Promise<AgentClient> {
  const agentId = await owner.client.mutation(api.agents.create, {
    orgId: owner.orgId,
    name,
  });
  const { token } = await owner.client.action(api.agentTokens.create, {
    agentId,
    projectId: owner.projectId,
    label: `${name} (e2e)`,
  });
  const client = convexClient(owner.url, token, owner.siteUrl);
  return {
    agentId,
    requestApproval: async (taskId, summary) => {
      const approval = await client.mutation(api.agentApprovals.request, {
        taskId,
        summary,
        details: "Pushes the branch to the preview environment.",
        kind: "deploy",
      });
      return approval.id;
    },
    completeStep: async (runId, stepId, output) => {
      await client.mutation(api.agentWorkflows.completeStep, {
        runId,
        stepId,
        status: "succeeded",
        output,
      });
    },
    close: () => client.close(),
  };
}
