/**
 * The executor: one job at a time; mutations queued meanwhile share one durable
 * commit (group commit); nobody hears of a commit before it is durable; shutdown
 * lets queued work finish and refuses the rest.
 */
import { expect, test } from "vitest";
import {
  Executor,
  type MutationResult,
  type Persistence,
} from "../../../local-backend/engine/executor";
import type { Transaction } from "../../../local-backend/engine/transaction";

function recordingPersistence(events: string[]): Persistence {
  return {
    write: (txs, _kv, ts) => void events.push(`write ${txs.length} @${ts}`),
    committed: (_txs, ts) => void events.push(`committed @${ts}`),
  };
}

const writing = (): MutationResult => ({
  outcome: { ok: true, value: null, logLines: [] },
  tx: { writes: [{}] } as unknown as Transaction,
});

test("mutations queued while one runs commit together, durable before they are answered", async () => {
  const events: string[] = [];
  const executor = new Executor(recordingPersistence(events), 0n);
  let release = (): void => undefined;
  const running = executor.mutate(
    () =>
      new Promise<MutationResult>((resolve) => {
        release = () => resolve(writing());
      }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  // These queue up behind the running mutation and share the next commit.
  const queued = [2, 3].map((i) =>
    executor.mutate(writing).then((r) => {
      events.push(`answer ${i} @${r.ts}`);
      expect(executor.latestTs()).toBe(r.ts);
      return r.ts;
    }),
  );
  release();
  const first = await running;
  const [b, c] = await Promise.all(queued);
  expect(b).toBe(c);
  expect(b! > first.ts).toBe(true);
  expect(events).toEqual([
    `write 1 @${first.ts}`,
    `committed @${first.ts}`,
    `write 2 @${b}`,
    `committed @${b}`,
    `answer 2 @${b}`,
    `answer 3 @${b}`,
  ]);
});

test("a failing mutation is answered with its error and writes nothing", async () => {
  const events: string[] = [];
  const executor = new Executor(recordingPersistence(events), 0n);
  await expect(
    executor.mutate(() => {
      throw new Error("handler failed");
    }),
  ).rejects.toThrow("handler failed");
  expect(events).toEqual([]);
  expect(executor.latestTs()).toBe(0n);
});

test("exclusive work runs alone, between commits", async () => {
  const events: string[] = [];
  const executor = new Executor(recordingPersistence(events), 0n);
  const first = executor.mutate(writing);
  const query = executor.exclusive(() => {
    events.push("query");
    return executor.latestTs();
  });
  const second = executor.mutate(writing);
  const [a, seen, b] = await Promise.all([first, query, second]);
  expect(seen).toBe(a.ts);
  expect(events).toEqual([
    `write 1 @${a.ts}`,
    `committed @${a.ts}`,
    "query",
    `write 1 @${b.ts}`,
    `committed @${b.ts}`,
  ]);
});

test("shutdown lets queued work finish, then refuses new work", async () => {
  const events: string[] = [];
  const executor = new Executor(recordingPersistence(events), 0n);
  const queued = executor.mutate(writing);
  await executor.shutdown();
  await expect(queued).resolves.toMatchObject({ outcome: { ok: true } });
  await expect(executor.mutate(writing)).rejects.toThrow(/shutting down/);
  await expect(executor.exclusive(() => 1)).rejects.toThrow(/shutting down/);
  expect(events.filter((e) => e.startsWith("write"))).toHaveLength(1);
});
