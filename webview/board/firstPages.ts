/**
 * The first page of every column, subscribed the moment the Convex client
 * exists (mountView's prewarm), before React has mounted the board. The
 * columns then read the same queries with `useQuery` and the same arguments
 * (built here, in one place: the client keys a subscription by its arguments),
 * so the first render finds them answered. A column switches to
 * `usePaginatedQuery` only when it needs more than its first page
 * (useBoardData.ts).
 */
import type { ConvexReactClient } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Prewarm } from "../shared/session";
import { firstPageArgs, peopleArgs } from "../shared/queryArgs";
import { visibleColumns } from "./boardModel";

export function prewarmBoard(
  showCancelled: () => boolean,
): Prewarm<ConvexReactClient> {
  return (client, { projectId }, onAnswered) => {
    const watches = [
      ...visibleColumns(showCancelled()).map((status) =>
        client.watchQuery(api.board.column, firstPageArgs(projectId, status)),
      ),
      client.watchQuery(api.board.people, peopleArgs(projectId)),
    ];
    const answered = (watch: (typeof watches)[number]): boolean => {
      try {
        return watch.localQueryResult() !== undefined;
      } catch {
        return true; // Failed: an answer too; the view shows the error.
      }
    };
    const check = (): void => {
      if (watches.every(answered)) onAnswered();
    };
    const unsubscribes = watches.map((watch) => watch.onUpdate(check));
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  };
}
