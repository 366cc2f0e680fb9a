/**
 * The SQLite store on a worker thread, for the server. A durable commit costs
 * SQLite's work in WebAssembly plus an fsync of the WAL: up to a millisecond
 * during which the event loop would otherwise be blocked, answering no socket.
 * Here the loop stays free while the worker commits; the executor still waits
 * for each commit before it answers callers or runs anything else, so nothing
 * reads a write that is not yet durable.
 *
 * The worker runs storeWorker.ts: from `store-worker.js` next to this code in a
 * bundle (scripts/build.mjs builds it), or the TypeScript source through tsx.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
// Types only from store.ts: the binding itself loads on the worker thread alone.
import type { CommitBatch, LoadedState } from "./store";
import { StoreCorruptError, StoreInUseError } from "./storeErrors";

export type StoreWorkerData = { file: string };

export type StoreRequest =
  | { kind: "commit"; id: number; batch: CommitBatch }
  | { kind: "close"; id: number };

export type StoreReply =
  | { kind: "opened"; id: 0; state: LoadedState }
  | { kind: "done"; id: number }
  | { kind: "failed"; id: number; name: string; message: string };

/** A store whose commits complete asynchronously, on another thread. */
export type ThreadStore = {
  load(): LoadedState;
  commit(batch: CommitBatch): Promise<void>;
  close(): Promise<void>;
};

function startWorker(file: string): Worker {
  const workerData: StoreWorkerData = { file };
  const bundled = join(__dirname, "store-worker.js");
  if (existsSync(bundled)) return new Worker(bundled, { workerData });
  // Running from source (tests, tsx): tsx's require hook loads the TypeScript.
  const source = join(__dirname, "storeWorker.ts");
  return new Worker(`require("tsx/cjs"); require(${JSON.stringify(source)});`, {
    eval: true,
    workerData,
  });
}

/** Errors cross the thread as name + message; the store's own kinds keep their class. */
function rebuildError(reply: { name: string; message: string }): Error {
  if (reply.name === "StoreInUseError")
    return new StoreInUseError(reply.message);
  if (reply.name === "StoreCorruptError")
    return new StoreCorruptError(reply.message);
  const error = new Error(reply.message);
  error.name = reply.name;
  return error;
}

export async function openStoreThread(file: string): Promise<ThreadStore> {
  const worker = startWorker(file);
  const waiting = new Map<
    number,
    { resolve: (reply: StoreReply) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let dead: Error | undefined;
  const failAll = (error: Error): void => {
    dead ??= error;
    for (const settle of waiting.values()) settle.reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: StoreReply) => {
    const settle = waiting.get(reply.id);
    waiting.delete(reply.id);
    settle?.resolve(reply);
  });
  worker.on("error", (error) => failAll(error));
  worker.on("exit", (code) =>
    failAll(new Error(`The store thread exited (code ${code})`)),
  );

  const call = (request: StoreRequest | { kind: "open"; id: 0 }) =>
    new Promise<StoreReply>((resolve, reject) => {
      if (dead !== undefined) return reject(dead);
      waiting.set(request.id, { resolve, reject });
      if (request.kind !== "open") worker.postMessage(request);
    }).then((reply) => {
      if (reply.kind === "failed") throw rebuildError(reply);
      return reply;
    });

  const opened = await call({ kind: "open", id: 0 }).catch(
    async (error: unknown) => {
      await worker.terminate();
      throw error;
    },
  );
  if (opened.kind !== "opened") throw new Error("Unexpected store reply");
  let state: LoadedState | undefined = opened.state;
  let closing: Promise<void> | undefined;
  return {
    load() {
      // Handed over once; the engine keeps everything in memory from then on.
      if (state === undefined) throw new Error("The store was loaded already");
      const loaded = state;
      state = undefined;
      return loaded;
    },
    async commit(batch) {
      await call({ kind: "commit", id: nextId++, batch });
    },
    close() {
      closing ??= call({ kind: "close", id: nextId++ }).then(
        async () => void (await worker.terminate()),
      );
      return closing;
    },
  };
}
