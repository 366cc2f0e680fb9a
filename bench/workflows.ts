/**
 * The workflow interpreter's speed: a 1,000-step DAG (20 layers of 50 external
 * steps, each needing 1-3 steps of the layer before) run to completion by 20
 * external agents that finish every step at once, against the plain mutation
 * rate of the same backend, with the same clients, in the same run.
 *
 *   npm run bench:workflows                (= npx tsx bench/workflows.ts, ~1-2 min)
 *   npm run bench:workflows -- --quick     200 steps (4 layers of 50)
 *   npm run bench:workflows -- --watch-run also keep the run open as the Run panel
 *                                          does (the owner subscribes to workflowRuns.get)
 *   npm run bench:workflows -- --no-claim  agents only call complete_step (see below)
 *   npm run bench:workflows -- --profile DIR   also CPU-profile the backend
 *                                          (node --cpu-prof into DIR) and summarize it
 *
 * Setup: the local backend as its own process with Switchboard's convex/
 * functions (lib/backendProcess.ts); the bootstrapped owner saves the YAML
 * (lib/workflowDag.ts) and starts the run; 20 agents, each with its own token
 * and ConvexClient, watch their todo tasks and call complete_step
 * (lib/workflowAgents.ts). With 20 agents x AGENT_RUNNING_LIMIT 2 = 40 > 20,
 * the project's PROJECT_RUNNING_LIMIT of 20 running steps is the binding
 * gate. A 40-step run and a burst of mutations warm the backend first.
 *
 * Figures (one machine, so agents' and the backend's Date.now() agree):
 * - wall s: from calling workflowRuns.start until the owner's subscription
 *   shows the run "succeeded"; steps/s = steps / wall.
 * - interpreter overhead ms/step, wall: (20 x wall - sum of agent hold
 *   times) / steps. With 20 slots, 20 x wall is the slot-time there was; what
 *   agents did not hold went to the interpreter: advancing the run, gate
 *   checks, creating the step's task, pushing it to the agent, and refilling
 *   a slot after a completion. "mean running" says how full the slots were.
 *   Caveat: the backend runs one mutation at a time, so the agents' calls
 *   queue behind the interpreter's advances and part of its cost shows up
 *   in agent hold; the CPU figure below has no such blur.
 * - interpreter overhead ms/step, backend CPU: the backend's CPU time over
 *   the run per step, less what the agent's own calls (claim_task,
 *   complete_step) would cost as plain mutations (the 20-way ceiling's CPU
 *   per mutation). The backend executes mutations serially, so this is
 *   what bounds steps/s: at most 1000 / (CPU ms per step) on one core.
 * - per step, p50/p95: started -> agent sees its task (commit and push);
 *   agent sees -> complete_step returns (the agent's whole share here, as it
 *   does no work: claim_task, then complete_step, each timed too); needs
 *   done -> started (the interpreter's reaction to the last dependency
 *   finishing, including waits at the 20-step gate).
 * - ratio of backend CPU per step to CPU per plain mutation: how many plain
 *   mutations' worth of work one step costs.
 * - plain mutations/s: usage.report (lib/workflowCeiling.ts) awaited one after
 *   another from one agent client, then from all 20 at once. The ratios
 *   compare steps/s with them: a step here takes at least three mutations
 *   (the advance that starts it, claim_task, complete_step), so about 0.33x
 *   of the 20-way rate is as far as any interpreter could go.
 *
 * Every step must have succeeded, started once and been completed once by
 * its own agent, never before its needs ended, and its task must have left
 * "todo"; anything else fails the run.
 *
 * Agents claim each step's task before completing it, as an agent starting
 * work does. `--no-claim` completes without claiming, which the
 * complete_step tool's description allows ("your task closes with it"): the
 * interpreter then walks the task todo -> in_progress -> done itself, and
 * the check above confirms every task left "todo".
 */
import { join, resolve } from "node:path";
import { cpus, loadavg } from "node:os";
import { startBackend } from "./lib/backendProcess";
import { summarizeProfileDir } from "./lib/cpuProfile";
import { wsClient } from "./lib/clients";
import { installCleanupHandlers, ROOT } from "./lib/processes";
import { ownerJwt, signInOwner } from "./lib/switchboardSetup";
import { AgentPool, provisionAgents } from "./lib/workflowAgents";
import { CEILING_MUTATION, measureCeiling } from "./lib/workflowCeiling";
import { benchDag } from "./lib/workflowDag";
import { runWorkflow } from "./lib/workflowRun";
import { workflowTable, type WorkflowResults } from "./lib/workflowTable";

const AGENTS = 20;
const WIDTH = 50;

type Plan = {
  quick: boolean;
  layers: number;
  ceilingMs: number;
  runTimeoutMs: number;
  profileDir: string | undefined;
  /** Agents claim a step's task before completing it (see workflowAgents.ts). */
  claim: boolean;
  /** The owner watches the run through workflowRuns.get (an open Run panel). */
  watchDetail: boolean;
};

function progress(message: string): void {
  process.stderr.write(`bench:workflows: ${message}\n`);
}

async function measure(plan: Plan): Promise<WorkflowResults> {
  progress("starting the local backend");
  const backend = await startBackend({
    functionsDir: join(ROOT, "convex"),
    ...(plan.profileDir === undefined ? {} : { cpuProfDir: plan.profileDir }),
  });
  let pool: AgentPool | undefined;
  const ownerWs = wsClient(backend.url);
  try {
    const owner = await signInOwner(backend);
    const jwt = await ownerJwt(backend);
    ownerWs.setAuth(() => Promise.resolve(jwt));
    progress(`provisioning ${AGENTS} agents`);
    const agents = await provisionAgents(backend, owner, AGENTS);
    const names = agents.map((a) => a.name);
    pool = AgentPool.start(backend.url, agents, owner.projectId, {
      claim: plan.claim,
    });

    progress("warm-up: mutations and a 40-step run");
    await measureCeiling({
      clients: pool.clients,
      projectId: owner.projectId,
      durationMs: 500,
      cpuMs: backend.cpuMs,
    });
    const common = { backend, owner, ownerWs, pool };
    await runWorkflow({
      ...common,
      dag: benchDag({
        name: "Warm-up",
        layers: 2,
        width: 20,
        agentNames: names,
      }),
      label: "warm-up",
      watchDetail: plan.watchDetail,
      timeoutMs: 60_000,
    });

    const steps = plan.layers * WIDTH;
    progress(`timed run: ${steps} steps`);
    const run = await runWorkflow({
      ...common,
      dag: benchDag({
        name: `Benchmark DAG ${steps}`,
        layers: plan.layers,
        width: WIDTH,
        agentNames: names,
      }),
      label: "timed run",
      watchDetail: plan.watchDetail,
      timeoutMs: plan.runTimeoutMs,
    });

    progress(`ceiling: ${CEILING_MUTATION}, 1 client`);
    const sequential = await measureCeiling({
      clients: pool.clients.slice(0, 1),
      projectId: owner.projectId,
      durationMs: plan.ceilingMs,
      cpuMs: backend.cpuMs,
    });
    progress(`ceiling: ${CEILING_MUTATION}, ${pool.clients.length} clients`);
    const concurrent = await measureCeiling({
      clients: pool.clients,
      projectId: owner.projectId,
      durationMs: plan.ceilingMs,
      cpuMs: backend.cpuMs,
    });
    return {
      agents: AGENTS,
      width: WIDTH,
      run,
      layers: plan.layers,
      claim: plan.claim,
      watchDetail: plan.watchDetail,
      sequential,
      concurrent,
    };
  } finally {
    await pool?.close();
    await ownerWs.close();
    await backend.stop();
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const at = argv.indexOf("--profile");
  const profileArg = at >= 0 ? argv[at + 1] : undefined;
  if (at >= 0 && (profileArg === undefined || profileArg.startsWith("--"))) {
    throw new Error("--profile needs a directory");
  }
  const profileDir = profileArg === undefined ? undefined : resolve(profileArg);
  const claim = !argv.includes("--no-claim");
  const watchDetail = argv.includes("--watch-run");
  const plan: Plan = quick
    ? {
        quick,
        layers: 4,
        ceilingMs: 1_500,
        runTimeoutMs: 120_000,
        profileDir,
        claim,
        watchDetail,
      }
    : {
        quick,
        layers: 20,
        ceilingMs: 4_000,
        runTimeoutMs: 480_000,
        profileDir,
        claim,
        watchDetail,
      };
  const watchdogMs = plan.runTimeoutMs + 120_000;
  setTimeout(() => {
    process.stderr.write(
      `bench:workflows: exceeded ${watchdogMs} ms, aborting\n`,
    );
    process.exit(1);
  }, watchdogMs).unref();
  const loadAtStart = loadavg();
  const started = performance.now();
  const results = await measure(plan);
  const cpu = cpus();
  console.log("Switchboard workflow interpreter benchmark");
  console.log(
    `command: npm run bench:workflows${argv.length === 0 ? "" : ` -- ${argv.join(" ")}`}`,
  );
  console.log(
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), node ${process.version}, load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(
    "setup: local backend in its own process (SQLite in a temp dir); owner and agents = official ConvexClients (WebSocket) in this process",
  );
  console.log("");
  console.log(workflowTable(results));
  console.log(
    `total run time ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const profile = summarizeProfileDir(profileDir);
  if (profile !== "") console.log(profile);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:workflows failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
