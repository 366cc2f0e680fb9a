/**
 * The project's live sandboxes as taskId -> status, for the cards' badges.
 * One query for the whole board, subscribed only once the first pages are on
 * screen (`enabled`): the badges may arrive a moment later, the first render
 * must not wait for them or do any of their work.
 *
 * Watched by hand rather than with `useQuery`, for two reasons: a failing
 * query (an older backend, no access) must not throw into render and take the
 * whole board down for a decoration, and the query answers again on every
 * log line a provisioning sandbox reports, while the badges change only with
 * a status, so the index is replaced (and the columns re-render) only then.
 */
import { useEffect, useState } from "react";
import { useConvex } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { SandboxStatus } from "../../convex/validators";
import { errorText } from "../shared/errors";
import { asId } from "../shared/ids";
import { liveSandboxIndex, sameSandboxIndex } from "../task/sandboxModel";

export type SandboxIndex = ReadonlyMap<string, SandboxStatus>;

const NONE: SandboxIndex = new Map();

export function useLiveSandboxes(
  projectId: string,
  enabled: boolean,
): SandboxIndex {
  const client = useConvex();
  const [index, setIndex] = useState<SandboxIndex>(NONE);
  useEffect(() => {
    if (!enabled) return;
    const watch = client.watchQuery(api.sandboxes.listLive, {
      projectId: asId<"projects">(projectId),
    });
    let warned = false;
    const read = (): void => {
      let next: SandboxIndex;
      try {
        const list = watch.localQueryResult();
        if (list === undefined) return;
        next = list.length === 0 ? NONE : liveSandboxIndex(list);
      } catch (error) {
        if (!warned) {
          console.warn(
            `switchboard board: no sandbox badges (${errorText(error)})`,
          );
        }
        warned = true;
        next = NONE;
      }
      setIndex((previous) =>
        sameSandboxIndex(previous, next) ? previous : next,
      );
    };
    const unsubscribe = watch.onUpdate(read);
    read(); // An answer may already be cached.
    return unsubscribe;
  }, [client, projectId, enabled]);
  return index;
}
