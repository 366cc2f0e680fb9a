/** The workflow benchmark's table (what each figure means: bench/workflows.ts). */
import {
  AGENT_RUNNING_LIMIT,
  PROJECT_RUNNING_LIMIT,
} from "../../convex/model/workflowRunGates";
import { ms, percentile, rate, ratio } from "./stats";
import { renderTable, type Column } from "./table";
import { CEILING_MUTATION, type Ceiling } from "./workflowCeiling";
import type { RunResult } from "./workflowRun";

export type WorkflowResults = {
  agents: number;
  width: number;
  run: RunResult;
  layers: number;
  claim: boolean;
  watchDetail: boolean;
  sequential: Ceiling;
  concurrent: Ceiling;
};

const COLUMNS: Column[] = [
  { title: "measurement", align: "left" },
  { title: "n", align: "right" },
  { title: "p50 ms", align: "right" },
  { title: "p95 ms", align: "right" },
  { title: "value", align: "right" },
  { title: "notes", align: "left" },
];

/** The workload line and the one table the benchmark prints. */
export function workflowTable(r: WorkflowResults): string {
  const { run } = r;
  const stepsPerSecond = run.steps / (run.wallMs / 1000);
  const holdTotal = run.hold.reduce((a, b) => a + b, 0);
  const overhead = (PROJECT_RUNNING_LIMIT * run.wallMs - holdTotal) / run.steps;
  const meanRunning = run.running.reduce((a, b) => a + b, 0) / run.serverMs;
  const cpuPerStep = run.backendCpuMs / run.steps;
  // The agent's own calls per step, priced as plain mutations.
  const agentCalls = r.claim ? 2 : 1;
  const cpuOverhead = cpuPerStep - agentCalls * r.concurrent.cpuMsPerOp;
  const perStep = (label: string, samples: number[], note: string) => [
    `  ${label}`,
    String(samples.length),
    ms(percentile(samples, 50)),
    ms(percentile(samples, 95)),
    "",
    note,
  ];
  const value = (label: string, text: string, note = "") => [
    `  ${label}`,
    "",
    "",
    "",
    text,
    note,
  ];
  const ceiling = (label: string, c: Ceiling) => [
    `  ${label}`,
    String(c.ops),
    ms(c.p50),
    ms(c.p95),
    rate(c.perSecond),
    `mutations/s over ${c.seconds.toFixed(1)} s; backend CPU ${ms(c.cpuMsPerOp)} ms/mutation`,
  ];
  const rows: string[][] = [
    ["workflow run"],
    value(
      "steps",
      String(run.steps),
      "all succeeded; each started, completed once, its task closed",
    ),
    value("layers", String(r.layers)),
    value(
      "wall s",
      (run.wallMs / 1000).toFixed(2),
      `start called -> owner sees "succeeded"; backend's startedAt -> endedAt ${(run.serverMs / 1000).toFixed(2)} s`,
    ),
    value("steps/s", rate(stepsPerSecond)),
    value(
      "interpreter overhead ms/step, wall",
      ms(overhead),
      `(${PROJECT_RUNNING_LIMIT} x wall - agent hold) / steps; mean running ${meanRunning.toFixed(1)} of ${PROJECT_RUNNING_LIMIT}`,
    ),
    value(
      "interpreter overhead ms/step, backend CPU",
      ms(cpuOverhead),
      `backend CPU ${ms(cpuPerStep)} ms/step (${(run.backendCpuMs / 1000).toFixed(1)} s) - ${agentCalls} plain mutations' CPU`,
    ),
    perStep(
      "per step: started -> agent sees its task",
      run.dispatch,
      "commit, task query re-run, push",
    ),
    perStep(
      "per step: agent sees -> complete_step returned",
      run.hold,
      "the agent's share (it does no work): the two calls below",
    ),
    perStep(
      "  claim_task round trip",
      run.claim,
      r.claim ? "the task moves todo -> in_progress" : "--no-claim: none",
    ),
    perStep("  complete_step round trip", run.complete, ""),
    perStep(
      "per step: needs done -> started",
      run.readyToStart,
      `includes waits at the ${PROJECT_RUNNING_LIMIT}-step gate`,
    ),
    value(
      "owner watches workflowRuns.get (Run panel)",
      r.watchDetail ? "yes" : "no",
      r.watchDetail
        ? `${run.detailUpdates} updates pushed`
        : "--watch-run to add it; the owner watches workflowRuns.list only",
    ),
    [],
    [`ceiling: plain mutation ${CEILING_MUTATION}`],
    ceiling("sequential, 1 client", r.sequential),
    ceiling(`concurrent, ${r.concurrent.clients} clients`, r.concurrent),
    [],
    ["ratios"],
    value(
      "steps/s / sequential mutations/s",
      ratio(stepsPerSecond, r.sequential.perSecond),
    ),
    value(
      `steps/s / ${r.concurrent.clients}-way mutations/s`,
      ratio(stepsPerSecond, r.concurrent.perSecond),
    ),
    value(
      "backend CPU per step / per mutation",
      ratio(cpuPerStep, r.concurrent.cpuMsPerOp),
      `vs the ${r.concurrent.clients}-way mutations`,
    ),
  ];
  const workload = `workload: ${r.layers} layers x ${r.width} external steps, each needing 1-3 steps of the layer before; ${r.agents} agents (${AGENT_RUNNING_LIMIT} running steps each), project limit ${PROJECT_RUNNING_LIMIT} running steps; ceiling mutation ${CEILING_MUTATION} (a usage record + its audit event) from the same agent clients`;
  return `${workload}\n\n${renderTable(COLUMNS, rows)}`;
}
