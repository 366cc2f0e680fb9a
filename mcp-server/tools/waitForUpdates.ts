/**
 * wait_for_updates: blocks on a subscription to `updates.since` until
 * something changed for the agent, or the wait is over. Without a cursor it
 * first asks for "now", so changes from the moment of the call count.
 */
import { api } from "../../convex/_generated/api";
import { jsonResult, type ToolRunner } from "../toolTypes";
import { waitFor, waitMs } from "../waiting";

type Since = {
  changes: unknown[];
  cursor: number;
  hasMore: boolean;
};

export const runWaitForUpdates: ToolRunner = async ({
  connection,
  config,
  args,
  local,
  signal,
  progress,
}) => {
  const timeoutMs = waitMs(local.timeoutSeconds, config.waitTimeoutMs);
  const projectId = args.projectId;
  const scope = projectId === undefined ? {} : { projectId };
  let cursor =
    typeof args.cursor === "number"
      ? args.cursor
      : ((await connection.query(api.updates.since, scope)) as Since).cursor;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcome = await waitFor(
      connection,
      api.updates.since,
      { ...scope, cursor },
      (value) => {
        const since = value as Since;
        return since.changes.length > 0 || since.hasMore ? since : undefined;
      },
      { timeoutMs: Math.max(0, deadline - Date.now()), signal, progress },
    );
    if ("timedOut" in outcome) break;
    // A page of the org's events with nothing for this agent: read on from there.
    if (outcome.value.changes.length === 0) {
      cursor = outcome.value.cursor;
      continue;
    }
    return jsonResult({ ...outcome.value, timedOut: false });
  }
  return jsonResult({
    changes: [],
    cursor,
    hasMore: false,
    timedOut: true,
    note: `Nothing changed for you in ${Math.round(timeoutMs / 1000)} s. Call again with this cursor to keep waiting.`,
  });
};
