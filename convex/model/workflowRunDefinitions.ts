/**
 * Saving a workflow definition: parse and check the YAML, resolve each agent
 * step's agent by name in the org, and store it as the next version of its
 * name in the project. Runs pin a version, so saving never changes a run.
 */
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import type { Access } from "./access";
import { actorOf, recordAudit } from "./audit";
import { fail } from "./errors";
import { formatErrors, parseWorkflow } from "./workflowYaml";
import type { StepDefinition, WorkflowDefinition } from "./workflowSpec";

/** 1-based line of `agent: <name>` inside the step's block, if found. */
function agentLine(source: string, stepId: string, agent: string): number {
  const lines = source.split("\n");
  const start = lines.findIndex((line) =>
    new RegExp(`^\\s+["']?${stepId}["']?\\s*:`).test(line),
  );
  for (let i = Math.max(0, start); i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (/^\s*agent\s*:/.test(line) && line.includes(agent)) return i + 1;
  }
  return start + 1;
}

/**
 * The agent of each agent step, by step id. Unknown names and agents of the
 * wrong kind are refused with the step and line.
 */
export async function resolveAgents(
  ctx: QueryCtx,
  orgId: Id<"orgs">,
  definition: WorkflowDefinition,
  source?: string,
): Promise<Map<string, Doc<"agents">>> {
  const byName = new Map<string, Doc<"agents"> | null>();
  const resolved = new Map<string, Doc<"agents">>();
  const problems: string[] = [];
  for (const step of definition.steps) {
    if (step.executor === "approval") continue;
    if (!byName.has(step.agent)) {
      const agent = await ctx.db
        .query("agents")
        .withIndex("by_orgId_name", (q) =>
          q.eq("orgId", orgId).eq("name", step.agent),
        )
        .first();
      byName.set(step.agent, agent);
    }
    const agent = byName.get(step.agent) ?? null;
    const where = (s: StepDefinition & { agent: string }) =>
      source === undefined
        ? `steps.${s.id}`
        : `line ${agentLine(source, s.id, s.agent)}: steps.${s.id}`;
    if (agent === null) {
      problems.push(
        `${where(step)}: no agent named "${step.agent}" in this org`,
      );
    } else if (agent.kind !== step.executor) {
      problems.push(
        `${where(step)}: agent "${step.agent}" is ${agent.kind}, but the step's executor is ${step.executor}`,
      );
    } else {
      resolved.set(step.id, agent);
    }
  }
  if (problems.length > 0) fail("INVALID_ARGUMENT", problems.join("\n"));
  return resolved;
}

export async function saveWorkflow(
  ctx: MutationCtx,
  access: Access,
  project: Doc<"projects">,
  source: string,
): Promise<Id<"workflows">> {
  const parsed = parseWorkflow(source);
  if (!parsed.ok) {
    fail(
      "INVALID_ARGUMENT",
      `The workflow has errors:\n${formatErrors(parsed.errors)}`,
    );
  }
  const { definition } = parsed;
  await resolveAgents(ctx, project.orgId, definition, source);
  const latest = await ctx.db
    .query("workflows")
    .withIndex("by_projectId_name_version", (q) =>
      q.eq("projectId", project._id).eq("name", definition.name),
    )
    .order("desc")
    .first();
  const version = (latest?.version ?? 0) + 1;
  const workflowId = await ctx.db.insert("workflows", {
    orgId: project.orgId,
    projectId: project._id,
    name: definition.name,
    version,
    source,
    definition: JSON.stringify(definition),
    createdBy: access.principal.id,
    createdAt: Date.now(),
  });
  await recordAudit(ctx, actorOf(access), {
    orgId: project.orgId,
    action: "workflow.save",
    entity: "workflow",
    entityId: workflowId,
    after: {
      name: definition.name,
      version,
      steps: definition.steps.length,
    },
  });
  return workflowId;
}
