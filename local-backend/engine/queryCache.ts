/**
 * Convex's query cache: one run per (query, args, caller) per snapshot, shared by
 * every subscriber. Entries are made at the engine's latestTs(), and the engine
 * empties the cache in the same turn that latestTs() moves (a commit, a reload),
 * so whatever is here is the answer at latestTs().
 */
import type { FunctionCall, QueryOutcome } from "./types";

/** Distinct cached results between two commits before the cache starts over. */
const LIMIT = 10_000;

export class QueryCache {
  private readonly entries = new Map<string, QueryOutcome>();

  static keyOf(call: FunctionCall): string {
    return `${call.udfPath}\n${JSON.stringify(call.args)}\n${JSON.stringify(call.identity)}`;
  }

  get(key: string): QueryOutcome | undefined {
    return this.entries.get(key);
  }

  set(key: string, outcome: QueryOutcome): void {
    if (this.entries.size >= LIMIT) this.entries.clear();
    this.entries.set(key, outcome);
  }

  clear(): void {
    this.entries.clear();
  }
}
