/**
 * The executor's commit pipeline: batches may run on top of a commit still in
 * flight, but no caller hears of a batch, and no exclusive job (a query) runs,
 * before every commit up to it is durable.
 */
import { expect, test } from "vitest";
import {
  Executor,
  type MutationResult,
  type Persistence,
} from "../../../local-backend/engine/executor";
import type { Transaction } from "../../../local-backend/engine/transaction";

type PendingWrite = { ts: bigint; finish: () => void };

/** A store whose commits finish only when the test says so. */
function controlledPersistence() {
  const writes: PendingWrite[] = [];
  const durable: bigint[] = [];
  const announced: bigint[] = [];
  const persistence: Persistence = {
    write: (_txs, _kv, ts) =>
      new Promise<void>((resolve) =>
        writes.push({
          ts,
          finish: () => {
            durable.push(ts);
            resolve();
          },
        }),
      ),
    committed: (_txs, ts) => void announced.push(ts),
  };
  return { persistence, writes, durable, announced };
}

const writing = (): MutationResult => ({
  outcome: { ok: true, value: null, logLines: [] },
  tx: { writes: [{}] } as unknown as Transaction,
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await settle();
  expect(condition()).toBe(true);
}

test("a second batch runs while the first commits; answers wait for durability, in order", async () => {
  const { persistence, writes, durable, announced } = controlledPersistence();
  const executor = new Executor(persistence, 0n);
  const answered: string[] = [];
  const first = executor
    .mutate(writing)
    .then((r) => answered.push(`a@${r.ts}`));
  await until(() => writes.length === 1);
  // The first commit is in flight; the next mutation still runs and starts its commit.
  const second = executor
    .mutate(writing)
    .then((r) => answered.push(`b@${r.ts}`));
  await until(() => writes.length === 2);
  expect(answered).toEqual([]);
  expect(executor.latestTs()).toBe(0n);

  // The second commit lands first: still nobody is answered (the first is not durable).
  writes[1]!.finish();
  await settle();
  expect(answered).toEqual([]);
  expect(announced).toEqual([]);

  writes[0]!.finish();
  await Promise.all([first, second]);
  const [ta, tb] = [writes[0]!.ts, writes[1]!.ts];
  expect(tb > ta).toBe(true);
  expect(answered).toEqual([`a@${ta}`, `b@${tb}`]);
  expect(announced).toEqual([ta, tb]);
  expect(durable).toEqual([tb, ta]);
  expect(executor.latestTs()).toBe(tb);
});

test("exclusive work (queries) waits until every commit in flight is durable", async () => {
  const { persistence, writes } = controlledPersistence();
  const executor = new Executor(persistence, 0n);
  const mutation = executor.mutate(writing);
  await until(() => writes.length === 1);
  let sawTs: bigint | undefined;
  const query = executor.exclusive(() => {
    sawTs = executor.latestTs();
  });
  await settle();
  expect(sawTs).toBeUndefined();
  writes[0]!.finish();
  await Promise.all([mutation, query]);
  expect(sawTs).toBe(writes[0]!.ts);
});

test("shutdown lets queued work finish, then refuses new work", async () => {
  const { persistence, writes } = controlledPersistence();
  const executor = new Executor(persistence, 0n);
  const mutation = executor.mutate(writing);
  await until(() => writes.length === 1);
  const stopped = executor.shutdown();
  writes[0]!.finish();
  await Promise.all([mutation, stopped]);
  await expect(executor.mutate(writing)).rejects.toThrow(/shutting down/);
  await expect(executor.exclusive(() => 1)).rejects.toThrow(/shutting down/);
});

test("a failing mutation is answered with its error and writes nothing", async () => {
  const { persistence, writes } = controlledPersistence();
  const executor = new Executor(persistence, 0n);
  await expect(
    executor.mutate(() => {
      throw new Error("handler failed");
    }),
  ).rejects.toThrow("handler failed");
  expect(writes).toEqual([]);
});
