/**
 * The board benchmark's data: the owner's JWT and view context (what the extension
 * host would hand the board webview), and a project seeded with thousands of tasks
 * spread over the board's columns, written by one WebSocket client with many
 * mutations in flight so seeding takes seconds rather than minutes.
 */
import type { ConvexClient } from "convex/browser";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import type { Priority, TaskStatus } from "../../convex/validators";
import type { InitParams } from "../../webview/protocol";
import type { BackendProcess } from "./backendProcess";
import { wsClient } from "./clients";
import { ownerJwt } from "./switchboardSetup";

export type OwnerSession = {
  /** A one-hour JWT: far longer than the benchmark runs. */
  token: string;
  orgId: Id<"orgs">;
  projectId: Id<"projects">;
  projectKey: string;
  userId: Id<"users">;
  /** Authenticated as the owner; close() it when done. */
  client: ConvexClient;
};

export async function openOwnerSession(
  backend: BackendProcess,
): Promise<OwnerSession> {
  // The webview needs the JWT itself (signInOwner keeps it in an HTTP client).
  const token = await ownerJwt(backend);
  const client = wsClient(backend.url);
  client.setAuth(() => Promise.resolve(token));
  try {
    const me = await client.query(api.me.get, {});
    if (me.kind !== "user") throw new Error("The owner token is not a user's.");
    const [org] = await client.query(api.orgs.listMine, {});
    if (org === undefined) throw new Error("The bootstrap made no org.");
    const [project] = await client.query(api.projects.list, {
      orgId: org.orgId,
    });
    if (project === undefined)
      throw new Error("The bootstrap made no project.");
    return {
      token,
      orgId: org.orgId,
      projectId: project._id,
      projectKey: project.key,
      userId: me.userId,
      client,
    };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** What the fake VS Code host sends the board as `host/init`. */
export function initParams(
  backend: BackendProcess,
  owner: OwnerSession,
): InitParams {
  return {
    backendUrl: backend.url,
    signedIn: true,
    theme: "dark",
    context: {
      orgId: owner.orgId,
      projectId: owner.projectId,
      projectKey: owner.projectKey,
      userId: owner.userId,
    },
    target: {},
  };
}

/** Runs `work(0..count-1)` with at most `inFlight` calls pending at once. */
async function pool(
  count: number,
  inFlight: number,
  work: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await work(i);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, () => worker()),
  );
}

const PRIORITIES: readonly Priority[] = ["urgent", "high", "medium", "low"];
const LABELS: readonly (readonly string[])[] = [
  [],
  ["backend"],
  ["ui", "bug"],
  [],
  ["docs"],
];

export type SeedPlan = { tasks: number; inFlight: number };

/** Task count per final status, with the legal moves that produce each. */
function shares(total: number): Record<TaskStatus, number> {
  const part = (fraction: number): number => Math.round(total * fraction);
  // The later columns cost one or two moves per task, so they get just enough to
  // fill more than the board's first page (FIRST_PAGE cards) at 5,000 tasks: seeding time
  // counts, and cards beyond the first page do not change the first render.
  const inReview = part(0.04);
  const done = part(0.06);
  const inProgress = part(0.04);
  const backlog = part(0.2);
  return {
    backlog,
    todo: total - backlog - inProgress - inReview - done,
    in_progress: inProgress,
    in_review: inReview,
    done,
    blocked: 0,
    cancelled: 0,
  };
}

/**
 * Creates `plan.tasks` tasks (api.tasks.create takes backlog or todo only), then moves
 * some along legal transitions (convex/model/taskStatus.ts): todo -> in_progress,
 * in_progress -> in_review, in_progress -> done. Returns the count per status.
 */
export async function seedBoard(
  owner: OwnerSession,
  plan: SeedPlan,
  progress: (message: string) => void,
): Promise<Record<TaskStatus, number>> {
  const target = shares(plan.tasks);
  const created: Id<"tasks">[] = [];
  const started = Date.now();
  await pool(plan.tasks, plan.inFlight, async (i) => {
    const id = await owner.client.mutation(api.tasks.create, {
      projectId: owner.projectId,
      title: `Benchmark task ${i}: ${i % 7 === 0 ? "investigate a flaky test in the sync layer" : "tidy up"}`,
      status: i < target.backlog ? "backlog" : "todo",
      priority: PRIORITIES[i % PRIORITIES.length] ?? "medium",
      labels: [...(LABELS[i % LABELS.length] ?? [])],
    });
    created[i] = id;
    if ((i + 1) % 1000 === 0) progress(`  created ${i + 1}/${plan.tasks}`);
  });
  const active = created.slice(
    target.backlog,
    target.backlog + target.in_progress + target.in_review + target.done,
  );
  const move = (taskId: Id<"tasks">, status: TaskStatus) =>
    owner.client.mutation(api.tasks.move, { taskId, status });
  await pool(active.length, plan.inFlight, (i) =>
    move(active[i]!, "in_progress"),
  );
  const leaving = active.slice(target.in_progress);
  await pool(leaving.length, plan.inFlight, (i) =>
    move(leaving[i]!, i < target.in_review ? "in_review" : "done"),
  );
  const seconds = (Date.now() - started) / 1000;
  progress(
    `  seeded ${plan.tasks} tasks and ${active.length + leaving.length} moves in ${seconds.toFixed(1)} s`,
  );
  return target;
}
