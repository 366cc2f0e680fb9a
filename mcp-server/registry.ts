/**
 * The tool surface: one entry per tool, each calling one Convex function
 * (convex/agent*.ts, updates.ts, usage.ts). Names are a contract users script
 * against. Descriptions are written for a model and kept short: the whole
 * tools/list answer stays under 16 KB.
 */
import { api } from "../convex/_generated/api";
import { runApprovalPrompt, runRequestApproval } from "./tools/approvals";
import { runWaitForUpdates } from "./tools/waitForUpdates";
import type { ToolDefinition } from "./toolTypes";

const READ = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
const WRITE = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
} as const;

const PROJECT = "Leave out: your token's project.";
const TASK_DEFAULT =
  "Leave out for the task you hold the lease on (if exactly one).";

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: "get_context",
    title: "Who am I and what am I doing",
    description:
      "Call first. Returns who you are (agent, scopes, standing instructions), your org and project, the tasks you are working on with their leases, and budget left (if budgets are set).",
    annotations: READ,
    kind: "query",
    function: api.agentContext.get,
    scopes: ["org:read"],
    hints: { projectId: PROJECT },
  },
  {
    name: "list_tasks",
    title: "List tasks",
    description:
      'Lists your project\'s tasks, newest first, or with readyOnly the claimable ones (todo, all dependencies done) in priority order. Filter by status and assignee ("me", "unassigned" or an id). Returns at most limit (default 20, max 50) and hasMore.',
    annotations: READ,
    kind: "query",
    function: api.agentTasks.list,
    scopes: ["tasks:read"],
    hints: { projectId: PROJECT },
  },
  {
    name: "claim_task",
    title: "Claim a task",
    description:
      "Takes a task to work on: taskId, or the next ready task by priority. Atomic: if someone else got it first you get an error and can claim another. Moves it to in_progress under your lease (default 15 min, leaseMs to change); update_task renews the lease, and if it lapses the task goes back to the queue.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentTasks.claim,
    scopes: ["tasks:claim"],
    hints: { projectId: PROJECT },
  },
  {
    name: "update_task",
    title: "Report progress on a task",
    description:
      "Changes a task you hold: status (the state machine decides; in_review when a person should look, done when finished), a progress note (posted to the task's thread), branch, pullRequestUrl. Every call renews your lease, so call it every few minutes while working; with only taskId it is a heartbeat.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentTasks.update,
    scopes: ["tasks:write"],
  },
  {
    name: "create_task",
    title: "Create a task",
    description:
      "Creates a task in your project: a subtask with parentId, and dependsOn for tasks that must be done first (it is ready only then). Status todo (default) or backlog.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentTasks.create,
    scopes: ["tasks:write"],
    hints: { projectId: PROJECT },
  },
  {
    name: "post_message",
    title: "Post to a thread",
    description:
      "Posts to a task's thread (taskId), a thread by threadId, or with neither the project's general thread. People and agents see it live.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentThreads.post,
    scopes: ["threads:post"],
    hints: { projectId: PROJECT },
  },
  {
    name: "read_thread",
    title: "Read a thread",
    description:
      "Reads a task's thread (taskId), a thread by threadId, or the project's general thread: the latest messages, or with after (a cursor from an earlier read) the ones since, oldest first.",
    annotations: READ,
    kind: "query",
    function: api.agentThreads.read,
    scopes: ["threads:read"],
    hints: { projectId: PROJECT },
  },
  {
    name: "wait_for_updates",
    title: "Wait until something changes for me",
    description:
      "Blocks until something changes for you and returns it: messages in your threads, decisions on your approval requests, changes to your tasks (a person moved one, your lease lapsed). Pass the previous answer's cursor so nothing is missed. Returns after timeoutSeconds (default 50) with timedOut if nothing happened.",
    annotations: READ,
    kind: "query",
    function: api.updates.since,
    scopes: ["tasks:read"],
    hints: { projectId: PROJECT },
    local: {
      timeoutSeconds: { fieldType: { type: "number" }, optional: true },
    },
    run: runWaitForUpdates,
  },
  {
    name: "request_approval",
    title: "Ask people for approval",
    description:
      "Asks people to approve an action (deploy, merge, spend...) before you take it, bound to a task. With waitSeconds it waits for the decision (up to 50 s); otherwise wait_for_updates reports it.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentApprovals.request,
    scopes: ["approvals:request"],
    hints: { projectId: PROJECT, taskId: TASK_DEFAULT },
    local: { waitSeconds: { fieldType: { type: "number" }, optional: true } },
    run: runRequestApproval,
  },
  {
    name: "approval_prompt",
    title: "Permission prompt (Claude Code)",
    description:
      "Claude Code's --permission-prompt-tool: answers whether a tool call may run, by this agent's rules or a person's decision. Not for direct use.",
    annotations: WRITE,
    kind: "mutation",
    function: api.agentApprovals.prompt,
    scopes: ["approvals:request"],
    run: runApprovalPrompt,
  },
  {
    name: "report_usage",
    title: "Report tokens and cost",
    description:
      "Records tokens and cost you spent, counted against your org, project and agent budgets; returns what is left. Never refused: an envelope marked exhausted means new work will not be dispatched until a person raises it (a raise was requested).",
    annotations: WRITE,
    kind: "mutation",
    function: api.usage.report,
    scopes: ["tasks:write"],
    hints: { projectId: PROJECT, taskId: TASK_DEFAULT },
  },
  {
    name: "request_sandbox",
    title: "Request a sandbox for your task",
    description:
      "Asks for a sandbox for a task you hold: a git worktree on branch switchboard/<task-key>-<slug> from baseBranch and a dev container with this MCP server and a token limited to that task. A person's VS Code brings it up; follow it with get_sandbox (status requested -> provisioning -> ready, or failed with the stage's error).",
    annotations: WRITE,
    kind: "mutation",
    function: api.sandboxes.request,
    scopes: ["sandboxes:request"],
    hints: {
      baseBranch: "The branch to start from, e.g. main.",
      agentId: "Leave out: you.",
      repository:
        "Leave out: the repository of the VS Code window that runs it.",
    },
  },
  {
    name: "get_sandbox",
    title: "A task's sandbox and its stages",
    description:
      "The task's newest sandbox or null: status, each stage (worktree, container, configuration, dependencies, mcp, health) with timings and errors, branch, worktree path, container id and the tail of the tools' log.",
    annotations: READ,
    kind: "query",
    function: api.sandboxes.forTask,
    scopes: ["tasks:read"],
  },
  {
    name: "complete_step",
    title: "Report a workflow step's result",
    description:
      'Finishes a workflow step you were given as a task (its description names runId and stepId). status "succeeded" with output (a flat record later steps read as steps.<stepId>.output.<key>), or "failed" with error (the step may be retried). Only while the step is running; your task closes with it.',
    annotations: WRITE,
    kind: "mutation",
    function: api.agentWorkflows.completeStep,
    scopes: ["workflows:run"],
  },
];
