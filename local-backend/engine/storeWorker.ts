/**
 * The worker-thread side of storeThread.ts: owns the SQLite store and runs its
 * commits (SQLite in WebAssembly plus fsync) off the server's event loop.
 * Requests arrive one at a time and are answered in order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openStore, type Store } from "./store";
import type { StoreReply, StoreRequest, StoreWorkerData } from "./storeThread";

function errorReply(id: number, error: unknown): StoreReply {
  return {
    kind: "failed",
    id,
    name: error instanceof Error ? error.name : "Error",
    message: error instanceof Error ? error.message : String(error),
  };
}

function serveStore(): void {
  const port = parentPort;
  if (port === null) throw new Error("storeWorker.ts runs as a worker thread");
  const { file } = workerData as StoreWorkerData;
  let store: Store;
  try {
    store = openStore(file);
    port.postMessage({ kind: "opened", id: 0, state: store.load() });
  } catch (error) {
    port.postMessage(errorReply(0, error));
    port.close();
    return;
  }
  port.on("message", (request: StoreRequest) => {
    try {
      if (request.kind === "commit") {
        store.commit(request.batch);
        port.postMessage({ kind: "done", id: request.id });
      } else {
        store.close();
        port.postMessage({ kind: "done", id: request.id });
        port.close();
      }
    } catch (error) {
      port.postMessage(errorReply(request.id, error));
    }
  });
}

serveStore();
