/**
 * Sandboxes: time from Open Sandbox (the request mutation) to ready with a
 * warm image, per stage, as Convex records them (the stage timings the board
 * shows), next to the reference of the same run: a bare `devcontainer up` of
 * the same image with no worktree, token or MCP setup. Also cleanup time.
 *
 *   npm run bench:sandbox                 (= npx tsx bench/sandbox.ts, ~2 min)
 *   npm run bench:sandbox -- --quick      3 sandboxes instead of 8
 *
 * Needs Docker and the local image (bash scripts/install-docker.sh) and a
 * build (dist/mcp-server.js is mounted into each sandbox).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { api } from "../convex/_generated/api";
import type { Doc } from "../convex/_generated/dataModel";
import { SANDBOX_STAGES, STAGE_LABELS } from "../convex/model/sandboxStages";
import type { SandboxStage } from "../convex/validators";
import {
  defaultSandboxImage,
  writeOverrideConfig,
} from "../extension/sandboxes/devcontainerConfig";
import {
  containersWithLabel,
  removeContainer,
} from "../extension/sandboxes/docker";
import { startSandboxWorld } from "../test/sandbox/sandboxWorld";
import { installCleanupHandlers } from "./lib/processes";
import { ms, ratio, summarize, type Summary } from "./lib/stats";
import { renderTable, type Column } from "./lib/table";

function progress(message: string): void {
  process.stderr.write(`bench:sandbox: ${message}\n`);
}

function stageMs(sandbox: Doc<"sandboxes">, stage: SandboxStage): number {
  const record = sandbox.stages.find((row) => row.stage === stage);
  return (record?.endedAt ?? NaN) - (record?.startedAt ?? NaN);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const quick = process.argv.includes("--quick");
  const runs = quick ? 3 : 8;
  const loadAtStart = loadavg();
  progress("starting the local backend and a repository");
  const sw = await startSandboxWorld();
  const referenceDir = await mkdtemp(join(tmpdir(), "switchboard-bench-ref-"));
  try {
    const perStage = new Map<SandboxStage, number[]>(
      SANDBOX_STAGES.map((stage) => [stage, []]),
    );
    const openToReady: number[] = [];
    const cleanups: number[] = [];
    const reference: number[] = [];

    // One untimed sandbox: image layers, the CLI and the backend are warm.
    for (let i = 0; i <= runs; i += 1) {
      const warm = i === 0;
      progress(warm ? "warm-up sandbox" : `sandbox ${i}/${runs}`);
      const taskId = await sw.newTask(`Bench sandbox ${i}`);
      const started = performance.now();
      const sandboxId = await sw.request(taskId);
      await sw.runner.drain();
      const elapsed = performance.now() - started;
      const sandbox = await sw.sandbox(sandboxId);
      if (sandbox.status !== "ready") {
        throw new Error(
          `sandbox ${i} ended ${sandbox.status}: ${sandbox.note ?? ""}\n${sandbox.logTail}`,
        );
      }
      const cleanStarted = performance.now();
      await sw.world.owner.mutation(api.sandboxes.change, {
        sandboxId,
        change: "cleanup",
      });
      await sw.runner.drain();
      const cleanupMs = performance.now() - cleanStarted;
      if (warm) continue;
      openToReady.push(elapsed);
      cleanups.push(cleanupMs);
      for (const stage of SANDBOX_STAGES) {
        perStage.get(stage)?.push(stageMs(sandbox, stage));
      }

      // The reference: the dev container CLI alone on the same image.
      const refStarted = performance.now();
      await sw.env.devcontainer.up(
        {
          workspaceFolder: referenceDir,
          overrideConfigPath: await writeReferenceConfig(referenceDir),
          sandboxId: `bench-${process.pid}-${i}`,
        },
        { skipPostCreate: true },
      );
      reference.push(performance.now() - refStarted);
      for (const id of await containersWithLabel(
        `switchboard.sandbox=bench-${process.pid}-${i}`,
      )) {
        await removeContainer(id);
      }
    }

    const columns: Column[] = [
      { title: "measurement", align: "left" },
      { title: "runs", align: "right" },
      { title: "p50 ms", align: "right" },
      { title: "max ms", align: "right" },
      { title: "vs bare devcontainer up", align: "right" },
    ];
    const refSummary = summarize(reference);
    const row = (label: string, s: Summary, compare = false): string[] => [
      label,
      String(s.count),
      ms(s.p50),
      ms(s.max),
      compare ? ratio(s.p50, refSummary.p50) : "",
    ];
    const cpu = cpus();
    console.log(
      `\nSandboxes: Open Sandbox -> ready, warm image ${defaultSandboxImage()} (${cpu.length} x ${cpu[0]?.model ?? "cpu"}, load ${loadAtStart.map((l) => l.toFixed(2)).join(" ")} at start)\n`,
    );
    console.log(
      renderTable(columns, [
        ...SANDBOX_STAGES.map((stage) =>
          row(
            `  stage: ${STAGE_LABELS[stage]}`,
            summarize(perStage.get(stage) ?? []),
          ),
        ),
        row(
          "Open Sandbox -> ready (request, claim, all stages)",
          summarize(openToReady),
          true,
        ),
        row("reference: bare `devcontainer up`, same image", refSummary, true),
        row(
          "cleanup (container + merged worktree removed)",
          summarize(cleanups),
        ),
      ]),
    );
  } finally {
    await rm(referenceDir, { recursive: true, force: true });
    await sw.dispose();
  }
}

async function writeReferenceConfig(dir: string): Promise<string> {
  return await writeOverrideConfig(
    { image: defaultSandboxImage() },
    join(dir, ".override"),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
