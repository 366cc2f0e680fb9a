/** The small helpers under extension/util/ the connection is built on. */
import { describe, expect, test, vi } from "vitest";
import {
  RetryLoop,
  type RunOutcome,
} from "../../../../extension/connection/retryLoop";
import { parseSeedOutput } from "../../../../extension/connection/seed";
import {
  Disposable,
  toDisposable,
} from "../../../../extension/util/disposable";
import { Emitter } from "../../../../extension/util/emitter";
import { errorCode, userMessage } from "../../../../extension/util/errors";
import { LineTail } from "../../../../extension/util/lineTail";
import {
  backoffMs,
  TimeoutError,
  withTimeout,
} from "../../../../extension/util/time";
import { ConvexError } from "convex/values";

class Owner extends Disposable {
  own<T extends { dispose(): unknown }>(d: T): T {
    return this.register(d);
  }
}

describe("Disposable", () => {
  test("disposes what it owns once, in reverse order, past a failing one", () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => order.push("a")));
    owner.own({
      dispose: () => {
        throw new Error("b fails");
      },
    });
    owner.own(toDisposable(() => order.push("c")));
    const error = vi
      .spyOn(console, "error")
      .mockImplementation(() => undefined);
    owner.dispose();
    owner.dispose();
    error.mockRestore();
    expect(order).toEqual(["c", "a"]);
  });

  test("something registered after dispose is disposed at once", () => {
    const owner = new Owner();
    owner.dispose();
    const late = vi.fn();
    owner.own(toDisposable(late));
    expect(late).toHaveBeenCalledTimes(1);
  });
});

describe("Emitter", () => {
  test("delivers to each subscription, with thisArgs, into a disposables array", () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const bag: { dispose(): unknown }[] = [];
    const context = { factor: 10 };
    emitter.event(
      function (this: typeof context, n) {
        seen.push(n * this.factor);
      },
      context,
      bag,
    );
    const plain = emitter.event((n) => seen.push(n));
    emitter.fire(1);
    plain.dispose();
    emitter.fire(2);
    expect(seen).toEqual([10, 1, 20]);
    expect(bag).toHaveLength(1);
    bag[0]?.dispose();
    expect(emitter.listenerCount).toBe(0);
  });

  test("a throwing listener is reported and the others still run", () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<string>((e) => errors.push(e));
    const seen: string[] = [];
    emitter.event(() => {
      throw new Error("bad");
    });
    emitter.event((s) => seen.push(s));
    emitter.fire("x");
    expect(seen).toEqual(["x"]);
    expect(errors).toHaveLength(1);
  });

  test("after dispose nothing subscribes or fires", () => {
    const emitter = new Emitter<void>();
    emitter.dispose();
    const listener = vi.fn();
    emitter.event(listener);
    emitter.fire();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe("LineTail", () => {
  test("splits chunks into lines and keeps the last ones", () => {
    const tail = new LineTail(2);
    expect(tail.push("one\ntw")).toEqual(["one"]);
    expect(tail.push("o\r\n\nthree\nfou")).toEqual(["two", "three"]);
    expect(tail.lines()).toEqual(["three", "fou"]);
    expect(tail.text()).toBe("three\nfou");
  });

  test("a runaway line without newline is cut", () => {
    const tail = new LineTail();
    expect(tail.push("x".repeat(5000))).toHaveLength(1);
  });
});

describe("time", () => {
  test("withTimeout passes a result through and times out with the message", async () => {
    expect(await withTimeout(Promise.resolve(1), 50, "never")).toBe(1);
    const slow = new Promise(() => undefined);
    await expect(withTimeout(slow, 10, "too slow")).rejects.toThrow(
      TimeoutError,
    );
  });

  test("backoff doubles up to the cap", () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffMs(n, 5, 30))).toEqual([
      5, 10, 20, 30, 30, 30,
    ]);
  });
});

describe("errors", () => {
  test("a Switchboard ConvexError shows its message and code", () => {
    const error = new ConvexError({
      code: "ILLEGAL_TRANSITION",
      message: "Done tasks cannot move to todo.",
    });
    expect(userMessage(error)).toBe("Done tasks cannot move to todo.");
    expect(errorCode(error)).toBe("ILLEGAL_TRANSITION");
    expect(userMessage(new Error("plain"))).toBe("plain");
    expect(errorCode(new Error("plain"))).toBeUndefined();
    expect(userMessage("text")).toBe("text");
  });
});

describe("seed output", () => {
  test("the CLI's JSON line", () => {
    expect(parseSeedOutput('{"projectId":"p1","tasks":6}\n')).toEqual({
      projectId: "p1",
      tasks: 6,
    });
    expect(() => parseSeedOutput("oops")).toThrow(/Unexpected output/);
    expect(() => parseSeedOutput('{"tasks":"six"}')).toThrow(
      /Unexpected output/,
    );
  });
});

describe("RetryLoop", () => {
  test("runs after the base delay, backs off on failure, stops when done", async () => {
    const outcomes: RunOutcome[] = ["failed", "again", "done"];
    const times: number[] = [];
    const started = Date.now();
    const loop = new RetryLoop(
      () => {
        times.push(Date.now() - started);
        return Promise.resolve(outcomes.shift() ?? "done");
      },
      20,
      1000,
    );
    loop.schedule();
    loop.schedule(); // already pending: no second run
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(times).toHaveLength(3);
    // 20 ms, then 40 ms after a failure, then 40 ms again ("again" keeps the backoff).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    expect(loop.isScheduled).toBe(false);
  });

  test("reset cancels a pending run; dispose stops scheduling", async () => {
    let runs = 0;
    const loop = new RetryLoop(
      () => {
        runs++;
        return Promise.resolve<RunOutcome>("done");
      },
      20,
      100,
    );
    loop.schedule();
    loop.reset();
    loop.dispose();
    loop.schedule();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(0);
  });
});
