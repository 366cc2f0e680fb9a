/**
 * Which pending approvals are new since the last look, as a pure state
 * machine. Fed the newest-first page of pending approvals on every change.
 *
 * - The first page after (re)subscribing only seeds what is known: requests
 *   that were waiting before the window connected are in the Approvals view
 *   and its badge; popping a notification for each would be noise.
 * - Ids are compared with the previous page only (a request never returns to
 *   pending), so memory stays bounded by the page size.
 * - When the previous page was full, deciding one request lets an older one
 *   slide into the page. It is not new: anything older than the previous
 *   page's oldest entry is ignored.
 */

export type PendingLike = { readonly _id: string; readonly createdAt: number };

type Snapshot = {
  readonly ids: ReadonlySet<string>;
  readonly oldest: number;
  readonly full: boolean;
};

export class ArrivalTracker<A extends PendingLike> {
  private last: Snapshot | null = null;

  /** Forget everything: the next page is a first load again (new session). */
  reset(): void {
    this.last = null;
  }

  /**
   * @param page pending approvals, newest first
   * @param isDone whether `page` holds every pending approval
   * @returns the approvals that arrived since the previous page, oldest first
   */
  next(page: readonly A[], isDone: boolean): A[] {
    const previous = this.last;
    this.last = {
      ids: new Set(page.map((approval) => approval._id)),
      oldest: Math.min(...page.map((approval) => approval.createdAt)),
      full: !isDone,
    };
    if (previous === null) return [];
    return page
      .filter(
        (approval) =>
          !previous.ids.has(approval._id) &&
          (!previous.full || approval.createdAt > previous.oldest),
      )
      .sort((a, b) => a.createdAt - b.createdAt);
  }
}

/** A person is not told about requests they made themselves. */
export function worthNotifying<A extends { readonly requesterId: string }>(
  arrivals: readonly A[],
  selfId: string | undefined,
): A[] {
  return arrivals.filter((approval) => approval.requesterId !== selfId);
}

/** More than this many at once become one summary notification. */
export const MAX_SEPARATE_NOTIFICATIONS = 3;
