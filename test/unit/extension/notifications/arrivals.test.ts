import { describe, expect, test } from "vitest";
import {
  ArrivalTracker,
  worthNotifying,
} from "../../../../extension/notifications/arrivals";

type A = { _id: string; createdAt: number; requesterId: string };
const a = (id: string, createdAt: number, requesterId = "agent1"): A => ({
  _id: id,
  createdAt,
  requesterId,
});

describe("which pending approvals are new", () => {
  test("the first page only seeds; later pages report what was not there", () => {
    const tracker = new ArrivalTracker<A>();
    expect(tracker.next([a("b", 2), a("a", 1)], true)).toEqual([]);
    expect(tracker.next([a("c", 3), a("b", 2), a("a", 1)], true)).toEqual([
      a("c", 3),
    ]);
    // Decided ones leave; nothing new.
    expect(tracker.next([a("c", 3)], true)).toEqual([]);
    // Two at once come oldest first.
    expect(
      tracker.next([a("e", 5), a("d", 4), a("c", 3)], true).map((x) => x._id),
    ).toEqual(["d", "e"]);
  });

  test("an empty inbox seeds too, and the next request is new", () => {
    const tracker = new ArrivalTracker<A>();
    expect(tracker.next([], true)).toEqual([]);
    expect(tracker.next([a("x", 9)], true)).toEqual([a("x", 9)]);
  });

  test("an older request sliding into a full page is not new", () => {
    const tracker = new ArrivalTracker<A>();
    // Page of 2 newest, more beyond it.
    tracker.next([a("d", 4), a("c", 3)], false);
    // "d" decided: "b" (older) slides in.
    expect(tracker.next([a("c", 3), a("b", 2)], false)).toEqual([]);
    // A real arrival on a full page is still seen.
    expect(tracker.next([a("z", 10), a("c", 3)], false)).toEqual([a("z", 10)]);
  });

  test("reset makes the next page a first load again", () => {
    const tracker = new ArrivalTracker<A>();
    tracker.next([a("a", 1)], true);
    tracker.reset();
    expect(tracker.next([a("b", 2), a("a", 1)], true)).toEqual([]);
  });

  test("one's own requests are not announced to oneself", () => {
    expect(
      worthNotifying([a("x", 1, "u1"), a("y", 2, "agent1")], "u1"),
    ).toEqual([a("y", 2, "agent1")]);
    expect(worthNotifying([a("x", 1, "u1")], undefined)).toHaveLength(1);
  });
});
