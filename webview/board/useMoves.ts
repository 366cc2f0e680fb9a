/**
 * Moving cards: the shared rule first (an illegal move never leaves the
 * webview), then `api.tasks.move`. While the mutation runs the card is shown in
 * its new column; Convex resolves the mutation only once the live queries
 * include its result, so the overlay then hands over without a flicker. On
 * failure the overlay goes and the card is back where it was, with the reason.
 */
import { useCallback, useMemo, useState } from "react";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { BoardCard } from "../../convex/model/boardCards";
import type { TaskStatus } from "../../convex/validators";
import { errorText } from "../shared/errors";
import { taskKey } from "../shared/format";
import type { PendingMoves } from "./boardModel";
import { decideMove, moveFailure } from "../shared/moveRules";

export interface Moves {
  readonly pending: PendingMoves;
  readonly pendingIds: ReadonlySet<string>;
  readonly error: string | null;
  readonly setError: (error: string | null) => void;
  /** Resolves true if the card moved. */
  readonly move: (card: BoardCard, to: TaskStatus) => Promise<boolean>;
}

export function useMoves(projectKey: string): Moves {
  const moveTask = useMutation(api.tasks.move);
  const [pending, setPending] = useState<PendingMoves>(() => new Map());
  const [error, setError] = useState<string | null>(null);

  const move = useCallback(
    async (card: BoardCard, to: TaskStatus): Promise<boolean> => {
      const key = taskKey(projectKey, card.number);
      const decision = decideMove(card, key, to);
      if (decision.kind === "noop") return false;
      if (decision.kind === "illegal") {
        setError(decision.message);
        return false;
      }
      setError(null);
      setPending((current) => new Map(current).set(card._id, { card, to }));
      try {
        await moveTask({ taskId: card._id, status: to });
        return true;
      } catch (failure) {
        setError(moveFailure(key, card.status, to, errorText(failure)));
        return false;
      } finally {
        setPending((current) => {
          const next = new Map(current);
          next.delete(card._id);
          return next;
        });
      }
    },
    [moveTask, projectKey],
  );

  const pendingIds = useMemo(() => new Set(pending.keys()), [pending]);
  return { pending, pendingIds, error, setError, move };
}
