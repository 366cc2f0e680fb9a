/**
 * Sandboxes: the control plane's record of which task, branch, worktree,
 * container, host and agent belong together. Runners (the extension host on the
 * machine with the repository) do the Docker and git work and report each
 * stage here; nobody else holds that mapping.
 */
import { defineTable } from "convex/server";
import { v } from "convex/values";
import {
  vPrincipalId,
  vSandboxStage,
  vSandboxStageRecord,
  vSandboxStatus,
} from "../validators";

export const sandboxTables = {
  sandboxes: defineTable({
    projectId: v.id("projects"),
    taskId: v.id("tasks"),
    /** "SB-12": kept so lists need not load the task and project. */
    taskKey: v.string(),
    /** The agent that works in it; its sandbox token is minted for this agent. */
    agentId: v.optional(v.id("agents")),
    requestedBy: vPrincipalId,
    /** Absolute path of the repository on the runner's machine; set by the runner if not requested. */
    repository: v.optional(v.string()),
    baseBranch: v.string(),
    branch: v.string(),
    /** Set once the worktree stage created `branch`, so a retry may reuse it. */
    branchCreated: v.boolean(),
    worktreePath: v.optional(v.string()),
    /** The Docker host: "local" or the DOCKER_HOST it targets (e.g. ssh://builder). */
    host: v.string(),
    containerId: v.optional(v.string()),
    /** The user the dev container runs its commands as (devcontainer.json remoteUser). */
    remoteUser: v.optional(v.string()),
    /** The sandbox's own agent token, revoked when the sandbox is cleaned up. */
    tokenId: v.optional(v.id("agentTokens")),
    status: vSandboxStatus,
    /** The stage running, failed, or last done. */
    stage: vSandboxStage,
    stages: v.array(vSandboxStageRecord),
    /** Where a requested provision starts: the failed stage on a retry. */
    startStage: vSandboxStage,
    /** The last lines of tool output (dev container CLI, git), for failures. */
    logTail: v.string(),
    /** Why the sandbox failed, went missing, or kept its worktree. */
    note: v.optional(v.string()),
    /** The runner doing its pending work, and until when its claim holds. */
    runner: v.optional(v.object({ id: v.string(), expiresAt: v.number() })),
    createdAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_taskId", ["taskId"])
    .index("by_projectId_status", ["projectId", "status"])
    .index("by_runner_expiresAt", ["runner.expiresAt"]),
};
