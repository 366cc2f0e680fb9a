/* eslint-disable */
/**
 * Generated `api` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type * as agentApprovals from "../agentApprovals.js";
import type * as agentContext from "../agentContext.js";
import type * as agentTasks from "../agentTasks.js";
import type * as agentThreads from "../agentThreads.js";
import type * as agentTokens from "../agentTokens.js";
import type * as agentWorkflows from "../agentWorkflows.js";
import type * as agents from "../agents.js";
import type * as approvalRules from "../approvalRules.js";
import type * as approvals from "../approvals.js";
import type * as audit from "../audit.js";
import type * as board from "../board.js";
import type * as bootstrap from "../bootstrap.js";
import type * as budgets from "../budgets.js";
import type * as credentials from "../credentials.js";
import type * as crons from "../crons.js";
import type * as demo from "../demo.js";
import type * as functions from "../functions.js";
import type * as github from "../github.js";
import type * as githubWebhooks from "../githubWebhooks.js";
import type * as http from "../http.js";
import type * as leases from "../leases.js";
import type * as me from "../me.js";
import type * as members from "../members.js";
import type * as messages from "../messages.js";
import type * as model_access from "../model/access.js";
import type * as model_agentScope from "../model/agentScope.js";
import type * as model_agents from "../model/agents.js";
import type * as model_approvalPolicy from "../model/approvalPolicy.js";
import type * as model_approvals from "../model/approvals.js";
import type * as model_audit from "../model/audit.js";
import type * as model_boardCards from "../model/boardCards.js";
import type * as model_budgetAlerts from "../model/budgetAlerts.js";
import type * as model_budgetGate from "../model/budgetGate.js";
import type * as model_budgetLevels from "../model/budgetLevels.js";
import type * as model_budgetPeriods from "../model/budgetPeriods.js";
import type * as model_budgetSettings from "../model/budgetSettings.js";
import type * as model_budgets from "../model/budgets.js";
import type * as model_checks from "../model/checks.js";
import type * as model_dependencies from "../model/dependencies.js";
import type * as model_errors from "../model/errors.js";
import type * as model_githubWebhook from "../model/githubWebhook.js";
import type * as model_leases from "../model/leases.js";
import type * as model_limits from "../model/limits.js";
import type * as model_modelPrices from "../model/modelPrices.js";
import type * as model_nativeAgents from "../model/nativeAgents.js";
import type * as model_nativeModelCall from "../model/nativeModelCall.js";
import type * as model_nativeRoles from "../model/nativeRoles.js";
import type * as model_nativeSessions from "../model/nativeSessions.js";
import type * as model_nativeTranscript from "../model/nativeTranscript.js";
import type * as model_orgs from "../model/orgs.js";
import type * as model_permissions from "../model/permissions.js";
import type * as model_principals from "../model/principals.js";
import type * as model_runUsage from "../model/runUsage.js";
import type * as model_sandboxStages from "../model/sandboxStages.js";
import type * as model_sandboxes from "../model/sandboxes.js";
import type * as model_secrets from "../model/secrets.js";
import type * as model_taskProgress from "../model/taskProgress.js";
import type * as model_taskQueries from "../model/taskQueries.js";
import type * as model_taskStatus from "../model/taskStatus.js";
import type * as model_tasks from "../model/tasks.js";
import type * as model_threadReads from "../model/threadReads.js";
import type * as model_threads from "../model/threads.js";
import type * as model_updates from "../model/updates.js";
import type * as model_views from "../model/views.js";
import type * as model_workflowDag from "../model/workflowDag.js";
import type * as model_workflowExpr from "../model/workflowExpr.js";
import type * as model_workflowRunAccess from "../model/workflowRunAccess.js";
import type * as model_workflowRunAdvance from "../model/workflowRunAdvance.js";
import type * as model_workflowRunAdvances from "../model/workflowRunAdvances.js";
import type * as model_workflowRunDefinitions from "../model/workflowRunDefinitions.js";
import type * as model_workflowRunDispatch from "../model/workflowRunDispatch.js";
import type * as model_workflowRunFinish from "../model/workflowRunFinish.js";
import type * as model_workflowRunGates from "../model/workflowRunGates.js";
import type * as model_workflowRunHooks from "../model/workflowRunHooks.js";
import type * as model_workflowRunOps from "../model/workflowRunOps.js";
import type * as model_workflowRunSpecs from "../model/workflowRunSpecs.js";
import type * as model_workflowRunState from "../model/workflowRunState.js";
import type * as model_workflowRunStatus from "../model/workflowRunStatus.js";
import type * as model_workflowSpec from "../model/workflowSpec.js";
import type * as model_workflowYaml from "../model/workflowYaml.js";
import type * as model_workflowYamlCheck from "../model/workflowYamlCheck.js";
import type * as model_workflowYamlGraph from "../model/workflowYamlGraph.js";
import type * as model_workflowYamlSteps from "../model/workflowYamlSteps.js";
import type * as nativeAgents from "../nativeAgents.js";
import type * as nativeSessions from "../nativeSessions.js";
import type * as orgs from "../orgs.js";
import type * as projects from "../projects.js";
import type * as returns from "../returns.js";
import type * as sandboxes from "../sandboxes.js";
import type * as tables_agents from "../tables/agents.js";
import type * as tables_audit from "../tables/audit.js";
import type * as tables_github from "../tables/github.js";
import type * as tables_identity from "../tables/identity.js";
import type * as tables_nativeSessions from "../tables/nativeSessions.js";
import type * as tables_sandboxes from "../tables/sandboxes.js";
import type * as tables_usage from "../tables/usage.js";
import type * as tables_work from "../tables/work.js";
import type * as tables_workflows from "../tables/workflows.js";
import type * as tasks from "../tasks.js";
import type * as threads from "../threads.js";
import type * as updates from "../updates.js";
import type * as usage from "../usage.js";
import type * as validators from "../validators.js";
import type * as workflowRuns from "../workflowRuns.js";
import type * as workflows from "../workflows.js";

import type {
  ApiFromModules,
  FilterApi,
  FunctionReference,
} from "convex/server";

declare const fullApi: ApiFromModules<{
  agentApprovals: typeof agentApprovals;
  agentContext: typeof agentContext;
  agentTasks: typeof agentTasks;
  agentThreads: typeof agentThreads;
  agentTokens: typeof agentTokens;
  agentWorkflows: typeof agentWorkflows;
  agents: typeof agents;
  approvalRules: typeof approvalRules;
  approvals: typeof approvals;
  audit: typeof audit;
  board: typeof board;
  bootstrap: typeof bootstrap;
  budgets: typeof budgets;
  credentials: typeof credentials;
  crons: typeof crons;
  demo: typeof demo;
  functions: typeof functions;
  github: typeof github;
  githubWebhooks: typeof githubWebhooks;
  http: typeof http;
  leases: typeof leases;
  me: typeof me;
  members: typeof members;
  messages: typeof messages;
  "model/access": typeof model_access;
  "model/agentScope": typeof model_agentScope;
  "model/agents": typeof model_agents;
  "model/approvalPolicy": typeof model_approvalPolicy;
  "model/approvals": typeof model_approvals;
  "model/audit": typeof model_audit;
  "model/boardCards": typeof model_boardCards;
  "model/budgetAlerts": typeof model_budgetAlerts;
  "model/budgetGate": typeof model_budgetGate;
  "model/budgetLevels": typeof model_budgetLevels;
  "model/budgetPeriods": typeof model_budgetPeriods;
  "model/budgetSettings": typeof model_budgetSettings;
  "model/budgets": typeof model_budgets;
  "model/checks": typeof model_checks;
  "model/dependencies": typeof model_dependencies;
  "model/errors": typeof model_errors;
  "model/githubWebhook": typeof model_githubWebhook;
  "model/leases": typeof model_leases;
  "model/limits": typeof model_limits;
  "model/modelPrices": typeof model_modelPrices;
  "model/nativeAgents": typeof model_nativeAgents;
  "model/nativeModelCall": typeof model_nativeModelCall;
  "model/nativeRoles": typeof model_nativeRoles;
  "model/nativeSessions": typeof model_nativeSessions;
  "model/nativeTranscript": typeof model_nativeTranscript;
  "model/orgs": typeof model_orgs;
  "model/permissions": typeof model_permissions;
  "model/principals": typeof model_principals;
  "model/runUsage": typeof model_runUsage;
  "model/sandboxStages": typeof model_sandboxStages;
  "model/sandboxes": typeof model_sandboxes;
  "model/secrets": typeof model_secrets;
  "model/taskProgress": typeof model_taskProgress;
  "model/taskQueries": typeof model_taskQueries;
  "model/taskStatus": typeof model_taskStatus;
  "model/tasks": typeof model_tasks;
  "model/threadReads": typeof model_threadReads;
  "model/threads": typeof model_threads;
  "model/updates": typeof model_updates;
  "model/views": typeof model_views;
  "model/workflowDag": typeof model_workflowDag;
  "model/workflowExpr": typeof model_workflowExpr;
  "model/workflowRunAccess": typeof model_workflowRunAccess;
  "model/workflowRunAdvance": typeof model_workflowRunAdvance;
  "model/workflowRunAdvances": typeof model_workflowRunAdvances;
  "model/workflowRunDefinitions": typeof model_workflowRunDefinitions;
  "model/workflowRunDispatch": typeof model_workflowRunDispatch;
  "model/workflowRunFinish": typeof model_workflowRunFinish;
  "model/workflowRunGates": typeof model_workflowRunGates;
  "model/workflowRunHooks": typeof model_workflowRunHooks;
  "model/workflowRunOps": typeof model_workflowRunOps;
  "model/workflowRunSpecs": typeof model_workflowRunSpecs;
  "model/workflowRunState": typeof model_workflowRunState;
  "model/workflowRunStatus": typeof model_workflowRunStatus;
  "model/workflowSpec": typeof model_workflowSpec;
  "model/workflowYaml": typeof model_workflowYaml;
  "model/workflowYamlCheck": typeof model_workflowYamlCheck;
  "model/workflowYamlGraph": typeof model_workflowYamlGraph;
  "model/workflowYamlSteps": typeof model_workflowYamlSteps;
  nativeAgents: typeof nativeAgents;
  nativeSessions: typeof nativeSessions;
  orgs: typeof orgs;
  projects: typeof projects;
  returns: typeof returns;
  sandboxes: typeof sandboxes;
  "tables/agents": typeof tables_agents;
  "tables/audit": typeof tables_audit;
  "tables/github": typeof tables_github;
  "tables/identity": typeof tables_identity;
  "tables/nativeSessions": typeof tables_nativeSessions;
  "tables/sandboxes": typeof tables_sandboxes;
  "tables/usage": typeof tables_usage;
  "tables/work": typeof tables_work;
  "tables/workflows": typeof tables_workflows;
  tasks: typeof tasks;
  threads: typeof threads;
  updates: typeof updates;
  usage: typeof usage;
  validators: typeof validators;
  workflowRuns: typeof workflowRuns;
  workflows: typeof workflows;
}>;

/**
 * A utility for referencing Convex functions in your app's public API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = api.myModule.myFunction;
 * ```
 */
export declare const api: FilterApi<
  typeof fullApi,
  FunctionReference<any, "public">
>;

/**
 * A utility for referencing Convex functions in your app's internal API.
 *
 * Usage:
 * ```js
 * const myFunctionReference = internal.myModule.myFunction;
 * ```
 */
export declare const internal: FilterApi<
  typeof fullApi,
  FunctionReference<any, "internal">
>;

export declare const components: {};
