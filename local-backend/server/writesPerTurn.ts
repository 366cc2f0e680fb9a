/** Coalescing a connection's writes, one syscall per event-loop turn. */
import type { Duplex } from "node:stream";

/**
 * Holds a socket's writes until the event loop's next check phase
 * (setImmediate), so the frames sent meanwhile leave in one syscall: a
 * mutation's response and the Transition that resolves it (see
 * SyncSession.mutate) cost one write instead of two. One write per mutation
 * is ~10% of the server's CPU with 32 writers (`npm run bench`). Only a
 * mutation's response asks for it: a subscriber's Transition goes out at once.
 */
export function writesPerTurn(socket: Duplex): () => void {
  let held = false;
  return () => {
    if (held) return;
    held = true;
    socket.cork();
    setImmediate(() => {
      held = false;
      socket.uncork();
    });
  };
}
