/** A raw WebSocket on the sync endpoint, for frames no real client would send. */
import { version } from "convex";
import WebSocket from "ws";
import { sleep } from "./backendProcess";

export type RawOutcome = {
  /** Server frames, parsed (or `{ unparsed }` if not JSON). */
  messages: Record<string, unknown>[];
  /** The close code, or -1 if the server kept the socket open for `waitMs`. */
  closeCode: number;
};

/** The path ConvexClient connects to (convex/src/browser/sync/client.ts). */
export function syncUrl(deploymentUrl: string): string {
  return `${deploymentUrl.replace(/^http/, "ws")}/api/${version}/sync`;
}

/** Sends frames and collects what comes back until the server closes the socket. */
export async function rawExchange(
  deploymentUrl: string,
  frames: readonly (string | Buffer)[],
  waitMs = 5000,
): Promise<RawOutcome> {
  const socket = new WebSocket(syncUrl(deploymentUrl));
  const messages: Record<string, unknown>[] = [];
  socket.on("message", (data: Buffer) => {
    const text = data.toString("utf8");
    try {
      messages.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      messages.push({ unparsed: text });
    }
  });
  const closed = new Promise<number>((resolve) =>
    socket.on("close", (code: number) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  for (const frame of frames)
    socket.send(frame, { binary: Buffer.isBuffer(frame) });
  const closeCode = await Promise.race([
    closed,
    sleep(waitMs).then(() => {
      socket.terminate();
      return -1;
    }),
  ]);
  return { messages, closeCode };
}
