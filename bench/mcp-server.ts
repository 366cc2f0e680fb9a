/**
 * switchboard-mcp's speed against the targets, in one table:
 *
 *   npm run bench:mcp                      (= npx tsx bench/mcp-server.ts, ~1 min)
 *   npm run bench:mcp -- --quick           fewer calls, for a smoke check
 *
 * - Tool-call round trip over stdio (the SDK's Client and StdioClientTransport, as
 *   Claude Code talks to it) for list_tasks and claim_task, against the floor: an
 *   echo tool on the same SDK (lib/echoMcpServer.ts), bundled and started the same
 *   way, in the same run. Target: at most 2 ms p50 above the floor.
 * - Cold start: spawning the server until `initialize` is answered. Target < 300 ms.
 * - References: claim_task's mutation called through a ConvexClient in this
 *   process, as the agent (the backend's share of the tool); and the cheapest
 *   durable write a tool makes, update_task's heartbeat (one lease renewed),
 *   through MCP and directly: what any write costs here. (No direct list_tasks:
 *   ConvexClient.query answers back-to-back calls from the copy it still holds
 *   of the query it just unsubscribed, so it would time no round trip.)
 * All round trips run in one loop, interleaved, so they share the VM's phases.
 *
 * Both servers run bundled (as dist/mcp-server.js is); the local backend runs as its
 * own process (lib/backendProcess.ts) with Switchboard's convex/ functions.
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cpus, loadavg } from "node:os";
import type { ConvexClient } from "convex/browser";
import { api } from "../convex/_generated/api";
import type { Id } from "../convex/_generated/dataModel";
import { exchangeSecret } from "../mcp-server/tokens";
import { wsClient } from "./lib/clients";
import { startBackend } from "./lib/backendProcess";
import { bundle } from "./lib/bundle";
import { signInOwner, provisionAgent } from "./lib/switchboardSetup";
import { installCleanupHandlers, ROOT } from "./lib/processes";
import { ms, summarize, type Summary } from "./lib/stats";
import { renderTable, type Column } from "./lib/table";

const TARGET = { aboveFloorP50Ms: 2, coldStartMs: 300 };

type Launch = { file: string; env: Record<string, string> };

function progress(message: string): void {
  process.stderr.write(`bench:mcp: ${message}\n`);
}

async function connect(
  launch: Launch,
): Promise<{ client: Client; startMs: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [launch.file],
    env: { PATH: process.env.PATH ?? "", ...launch.env },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  const started = performance.now();
  await client.connect(transport);
  return { client, startMs: performance.now() - started };
}

async function coldStarts(launch: Launch, runs: number): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { client, startMs } = await connect(launch);
    samples.push(startMs);
    await client.close();
  }
  return summarize(samples);
}

/** How long `call` takes to settle, in ms. */
async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

async function agentClient(
  siteUrl: string,
  url: string,
  secret: string,
): Promise<ConvexClient> {
  const { token } = await exchangeSecret(siteUrl, secret, "bench:mcp", 10_000);
  const client = wsClient(url);
  client.setAuth(() => Promise.resolve(token));
  return client;
}

/** One tool call; a tool error fails the benchmark (it would time the wrong path). */
async function callTool(
  client: Client,
  tool: string,
  args: Record<string, unknown>,
): Promise<string> {
  const result = await client.callTool({ name: tool, arguments: args });
  const content = result.content as { type: string; text?: string }[];
  const text = content[0]?.text;
  if (result.isError === true || text === undefined)
    throw new Error(`${tool} failed: ${JSON.stringify(content)}`);
  return text;
}

/** The task a claim_task call took (its result is the mutation's JSON). */
async function claimOne(client: Client): Promise<Id<"tasks">> {
  const claimed = JSON.parse(await callTool(client, "claim_task", {})) as {
    task: { id: Id<"tasks"> };
  };
  return claimed.task.id;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const quick = process.argv.includes("--quick");
  const calls = quick ? 100 : 500;
  const claims = quick ? 50 : 200;
  const colds = quick ? 5 : 15;
  const loadAtStart = loadavg();
  progress("bundling switchboard-mcp and the echo server");
  const bundled = await bundle("mcp", {
    "mcp-server": "mcp-server/main.ts",
    echo: "bench/lib/echoMcpServer.ts",
  });
  progress("starting the local backend");
  const backend = await startBackend({ functionsDir: join(ROOT, "convex") });
  try {
    const owner = await signInOwner(backend);
    const agent = await provisionAgent(owner, "bench-agent", 2 * claims + 10);
    const switchboard: Launch = {
      file: bundled.file("mcp-server"),
      env: {
        SWITCHBOARD_DATA_DIR: backend.dataDir,
        SWITCHBOARD_TOKEN: agent.secret,
      },
    };
    const echo: Launch = { file: bundled.file("echo"), env: {} };

    progress("cold starts");
    const echoCold = await coldStarts(echo, colds);
    const switchboardCold = await coldStarts(switchboard, colds);

    progress(
      "round trips, interleaved: echo, list_tasks, a heartbeat through MCP and directly, and every few rounds a claim both ways",
    );
    const echoClient = (await connect(echo)).client;
    const sbClient = (await connect(switchboard)).client;
    const direct = await agentClient(
      backend.siteUrl,
      backend.url,
      agent.secret,
    );
    const samples = {
      echo: [] as number[],
      list: [] as number[],
      claim: [] as number[],
      directClaim: [] as number[],
      heartbeat: [] as number[],
      directHeartbeat: [] as number[],
    };
    try {
      // Untimed first calls: sign-in, the WebSocket and first-call paths are warm.
      for (let i = 0; i < 20; i++) {
        await callTool(echoClient, "echo", { text: "warm" });
        await callTool(sbClient, "list_tasks", { limit: 20 });
      }
      const taskId = await claimOne(sbClient);
      await direct.mutation(api.agentTasks.update, { taskId });
      // One loop, so every measurement sees the same phases of this VM's
      // varying speed (blocks run one after another did not).
      for (let i = 0; i < calls; i++) {
        samples.echo.push(
          await timed(() => callTool(echoClient, "echo", { text: `t${i}` })),
        );
        samples.list.push(
          await timed(() => callTool(sbClient, "list_tasks", { limit: 20 })),
        );
        samples.heartbeat.push(
          await timed(() => callTool(sbClient, "update_task", { taskId })),
        );
        samples.directHeartbeat.push(
          await timed(() => direct.mutation(api.agentTasks.update, { taskId })),
        );
        // `claims` claims spread evenly over the `calls` rounds.
        if (
          Math.floor(((i + 1) * claims) / calls) >
          Math.floor((i * claims) / calls)
        ) {
          samples.claim.push(
            await timed(() => callTool(sbClient, "claim_task", {})),
          );
          samples.directClaim.push(
            await timed(() => direct.mutation(api.agentTasks.claim, {})),
          );
        }
      }
    } finally {
      await Promise.all([echoClient.close(), sbClient.close(), direct.close()]);
    }
    const echoCalls = summarize(samples.echo);
    const listCalls = summarize(samples.list);
    const claimCalls = summarize(samples.claim);
    const directClaim = summarize(samples.directClaim);
    const heartbeatCalls = summarize(samples.heartbeat);
    const directHeartbeat = summarize(samples.directHeartbeat);

    const columns: Column[] = [
      { title: "measurement", align: "left" },
      { title: "calls", align: "right" },
      { title: "p50 ms", align: "right" },
      { title: "p99 ms", align: "right" },
      { title: "p50 above floor", align: "right" },
      { title: "target", align: "left" },
      { title: "met", align: "left" },
    ];
    const above = (s: Summary) => s.p50 - echoCalls.p50;
    const yes = (ok: boolean) => (ok ? "yes" : "NO");
    const tripRow = (label: string, s: Summary): string[] => [
      label,
      String(s.count),
      ms(s.p50),
      ms(s.p99),
      `+${ms(above(s))}`,
      `<= +${TARGET.aboveFloorP50Ms} ms`,
      yes(above(s) <= TARGET.aboveFloorP50Ms),
    ];
    const directRow = (label: string, s: Summary): string[] => [
      label,
      String(s.count),
      ms(s.p50),
      ms(s.p99),
      "",
      "",
      "",
    ];
    const coldRow = (label: string, s: Summary, target: boolean): string[] => [
      label,
      String(s.count),
      ms(s.p50),
      ms(s.p99),
      "",
      target ? `< ${TARGET.coldStartMs} ms` : "",
      target ? yes(s.p99 < TARGET.coldStartMs) : "",
    ];
    const ratioRow = (label: string, s: Summary, of: Summary): string[] => [
      label,
      "",
      (s.p50 / of.p50).toFixed(2) + "x",
    ];
    const cpu = cpus();
    console.log("Switchboard MCP server benchmark");
    console.log(`command: npm run bench:mcp${quick ? " -- --quick" : ""}`);
    console.log(
      `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), node ${process.version}, load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(" ")}`,
    );
    console.log(
      "setup: servers bundled with esbuild and spawned over stdio (SDK Client + StdioClientTransport); local backend in its own process",
    );
    console.log("");
    console.log(
      renderTable(columns, [
        ["tool-call round trip over stdio"],
        tripRow("  floor: echo tool, same SDK", echoCalls),
        tripRow("  list_tasks (limit 20)", listCalls),
        tripRow("  claim_task (next ready)", claimCalls),
        [],
        ["references"],
        directRow(
          "  claim_task's mutation through ConvexClient, no MCP",
          directClaim,
        ),
        tripRow("  update_task heartbeat (one lease renewed)", heartbeatCalls),
        directRow(
          "  its mutation through ConvexClient, no MCP",
          directHeartbeat,
        ),
        [],
        ["cold start: spawn until initialize is answered"],
        coldRow("  floor: echo server", echoCold, false),
        coldRow("  switchboard-mcp", switchboardCold, true),
        [],
        ["ratios (p50)"],
        ratioRow("  list_tasks / echo", listCalls, echoCalls),
        ratioRow("  claim_task / echo", claimCalls, echoCalls),
        ratioRow(
          "  claim_task / agentTasks.claim direct",
          claimCalls,
          directClaim,
        ),
        ratioRow(
          "  update_task heartbeat / its mutation direct",
          heartbeatCalls,
          directHeartbeat,
        ),
        ratioRow("  cold start switchboard / echo", switchboardCold, echoCold),
      ]),
    );
    console.log(
      `load average at end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    await backend.stop();
    bundled.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench:mcp failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
