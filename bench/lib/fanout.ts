/**
 * Mutation -> subscriber update latency. N ConvexClients subscribe to
 * `messages:latest` on one channel; a separate writer client sends messages whose `n`
 * is the send time (performance.now(): writer and subscribers share this process's
 * clock), and every subscriber notes when its onUpdate callback first shows each one.
 *
 * Pacing: the next message goes out at least `minGapMs` after the previous one AND only
 * once the previous one reached every subscriber (or timed out), so the numbers are
 * latency, not queueing behind earlier messages.
 */
import { getFunctionName } from "convex/server";
import { latest, send, type Message } from "./api";
import { wsClient } from "./clients";
import { rawSubscribe, type Subscription } from "./rawSubscriber";
import { sleep, summarize, type Summary } from "./stats";

/** Official ConvexClients, or minimal protocol subscribers (rawSubscriber.ts). */
export type SubscriberKind = "official" | "raw";

export type FanoutPlan = {
  subscribers: number;
  kind: SubscriberKind;
  warmup: number;
  mutations: number;
  minGapMs: number;
  /** Give up waiting for a message to reach everyone after this long. */
  timeoutMs: number;
  /** Stop sending after this long (the result counts what was measured). */
  budgetMs: number;
};

export type FanoutResult = {
  subscribers: number;
  kind: SubscriberKind;
  mutations: number;
  /** Every (subscriber, message) receipt: receive time - send time. */
  each: Summary;
  /** Per message: time until the last subscriber had it (only messages that reached all). */
  all: Summary;
  /** Messages that did not reach every subscriber within timeoutMs. */
  incomplete: number;
  errors: string[];
  /** Mean time between sends in the measured window. */
  intervalMs: number;
  serverCpuMsPerMutation: number;
  clientCpuMsPerMutation: number;
};

type Tracked = {
  sentAt: number;
  received: number;
  lastAt: number;
  onAll: (() => void) | undefined;
};

/** Resolves true when `promise` settles first, false at the timeout (the timer is cleared either way). */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline)
      throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

export async function measureFanout(
  url: string,
  plan: FanoutPlan,
  serverCpuMs: () => number,
): Promise<FanoutResult> {
  const channel = `fanout-${plan.subscribers}-${Date.now()}`;
  const total = plan.warmup + plan.mutations;
  const tracked: Tracked[] = [];
  const each: number[] = [];
  const errors: string[] = [];
  const closers: Subscription[] = [];
  let ready = 0;
  const onReceive = (body: string, n: number, now: number): void => {
    const seq = Number(body.slice(1));
    const t = tracked[seq];
    if (t === undefined) return;
    if (seq >= plan.warmup) each.push(now - n);
    t.received++;
    t.lastAt = now;
    if (t.received === plan.subscribers) t.onAll?.();
  };
  try {
    // Connect in groups of 10, each group subscribed before the next connects: a
    // thundering herd of 100 handshakes is not what this measures.
    for (let i = 0; i < plan.subscribers; i++) {
      const seen = new Set<string>();
      let first = true;
      const onMessages = (messages: readonly Message[]): void => {
        const now = performance.now();
        if (first) {
          first = false;
          ready++;
        }
        for (const m of messages) {
          if (seen.has(m.body)) continue;
          seen.add(m.body);
          onReceive(m.body, m.n, now);
        }
      };
      const onError = (message: string): void => void errors.push(message);
      closers.push(
        await subscribe(url, plan.kind, channel, onMessages, onError),
      );
      if ((i + 1) % 10 === 0 || i + 1 === plan.subscribers) {
        await waitUntil(
          () => ready === i + 1,
          30_000,
          `${i + 1} of ${plan.subscribers} subscriptions`,
        );
      }
    }
    const writer = wsClient(url);
    closers.push(writer);
    // Connects the writer's socket before anything is timed.
    await writer.mutation(send, {
      channel: `${channel}-connect`,
      body: "",
      n: 0,
    });

    const pending: Promise<void>[] = [];
    let lastSend = Number.NEGATIVE_INFINITY;
    let windowStart = 0;
    let serverCpu0 = 0;
    let clientCpu0 = process.cpuUsage();
    const loopStart = performance.now();
    for (let seq = 0; seq < total; seq++) {
      if (performance.now() - loopStart > plan.budgetMs) break;
      const wait = lastSend + plan.minGapMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (seq === plan.warmup) {
        windowStart = performance.now();
        serverCpu0 = serverCpuMs();
        clientCpu0 = process.cpuUsage();
      }
      const t: Tracked = {
        sentAt: performance.now(),
        received: 0,
        lastAt: Number.NaN,
        onAll: undefined,
      };
      const reachedAll = new Promise<void>((resolve) => (t.onAll = resolve));
      tracked[seq] = t;
      lastSend = t.sentAt;
      pending.push(
        writer.mutation(send, { channel, body: `m${seq}`, n: t.sentAt }).then(
          () => undefined,
          (error: unknown) => void errors.push(String(error)),
        ),
      );
      await within(reachedAll, plan.timeoutMs);
    }
    const windowMs = performance.now() - windowStart;
    const clientCpu = process.cpuUsage(clientCpu0);
    const serverCpu = serverCpuMs() - serverCpu0;
    await Promise.all(pending);
    const measured = tracked.slice(plan.warmup);
    const count = Math.max(1, measured.length);
    const complete = measured.filter((t) => t.received === plan.subscribers);
    return {
      subscribers: plan.subscribers,
      kind: plan.kind,
      mutations: measured.length,
      each: summarize(each),
      all: summarize(complete.map((t) => t.lastAt - t.sentAt)),
      incomplete: measured.length - complete.length,
      errors,
      intervalMs: windowMs / count,
      serverCpuMsPerMutation: serverCpu / count,
      clientCpuMsPerMutation:
        (clientCpu.user + clientCpu.system) / 1000 / count,
    };
  } finally {
    await Promise.all(closers.map((closer) => closer.close()));
  }
}

async function subscribe(
  url: string,
  kind: SubscriberKind,
  channel: string,
  onMessages: (messages: readonly Message[]) => void,
  onError: (message: string) => void,
): Promise<Subscription> {
  if (kind === "raw") {
    return await rawSubscribe(
      url,
      getFunctionName(latest),
      { channel },
      (value) => onMessages(value as Message[]),
      onError,
    );
  }
  const client = wsClient(url);
  client.onUpdate(latest, { channel }, onMessages, (error) =>
    onError(error.message),
  );
  return client;
}
