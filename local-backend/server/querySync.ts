/**
 * One connection's subscribed query set and the Transitions that keep the
 * client's copy of it current.
 *
 * The client applies a Transition only if its startVersion equals the version
 * it holds (remote_query_set.ts), and it treats every result as valid at
 * endVersion.ts. So this class keeps exactly what it last sent (`sent`) and
 * runs all its work through one loop: at most one engine call in flight, and
 * Transitions leave in version order. Inputs (query set edits, identity
 * changes, commits, mutation timestamps to reach) only mark the loop dirty; a
 * burst of them is handled by one more pass at the newest snapshot.
 *
 * Invariant: every query's last result is unchanged at every snapshot in
 * [sent.ts, validThrough], and `commits` holds every delivered commit newer
 * than validThrough.
 */
import type { JSONValue } from "convex/values";
import type {
  CallerIdentity,
  Commit,
  Engine,
  QueryOutcome,
  ReadSet,
  Timestamp,
} from "../engine/types";
import {
  queryModification,
  type QueryJournal,
  type QuerySetModification,
  type StateModification,
  type StateVersion,
  type TransitionMessage,
} from "./syncProtocol";

const RETRY_MS = 20;

/** A client error: the connection gets a FatalError. */
export class ProtocolError extends Error {}

type ActiveQuery = {
  udfPath: string;
  args: JSONValue;
  journal: QueryJournal;
  componentPath: string | undefined;
  /** Undefined until run, and for queries that never run (components). */
  readSet: ReadSet | undefined;
};

type PendingIdentity = { version: number; identity: CallerIdentity };

export class QuerySync {
  private sent: StateVersion = { querySet: 0, identity: 0, ts: 0n };
  private queries = new Map<number, ActiveQuery>();
  private identity: CallerIdentity = { kind: "anonymous" };
  private validThrough: Timestamp = 0n;
  private commits: Commit[] = [];

  // Requested by the client but not yet reflected in `sent`.
  private pendingMods: QuerySetModification[] = [];
  private pendingIdentity: PendingIdentity | undefined;
  private requestedQuerySet = 0;
  private requestedIdentity = 0;
  /** A MutationResponse went out: the client needs a Transition reaching minTs after it. */
  private mustReach = false;
  private minTs: Timestamp = 0n;

  private retryTimer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly send: (transition: TransitionMessage) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  modifyQuerySet(mod: QuerySetModification): void {
    if (
      mod.baseVersion !== this.requestedQuerySet ||
      mod.newVersion <= mod.baseVersion
    ) {
      throw new ProtocolError(
        `ModifyQuerySet ${mod.baseVersion}->${mod.newVersion} does not follow version ${this.requestedQuerySet}`,
      );
    }
    this.requestedQuerySet = mod.newVersion;
    this.pendingMods.push(mod);
    this.kick();
  }

  /** Throws unless `baseVersion` is the identity version the client last asked for. */
  checkIdentityBase(baseVersion: number): void {
    if (baseVersion !== this.requestedIdentity) {
      throw new ProtocolError(
        `Authenticate baseVersion ${baseVersion} does not follow identity version ${this.requestedIdentity}`,
      );
    }
  }

  setIdentity(baseVersion: number, identity: CallerIdentity): void {
    this.checkIdentityBase(baseVersion);
    this.requestedIdentity = baseVersion + 1;
    this.pendingIdentity = { version: baseVersion + 1, identity };
    this.kick();
  }

  addCommit(commit: Commit): void {
    if (this.closed || commit.ts <= this.validThrough) return;
    // A connection with no queries (say, a client that only writes) has nothing a commit
    // can invalidate: skip the pass unless one is under way (it may be adding queries).
    if (this.queries.size === 0 && !this.running) return;
    this.commits.push(commit);
    this.kick();
  }

  /** Called after a successful MutationResponse: resolve it with a Transition at >= ts. */
  requireTs(ts: Timestamp): void {
    this.mustReach = true;
    if (ts > this.minTs) this.minTs = ts;
    this.kick();
  }

  close(): void {
    this.closed = true;
    this.commits = [];
    this.pendingMods = [];
    clearTimeout(this.retryTimer);
  }

  private kick(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    // Start on a later turn, never inside the engine's commit callback, so that a burst of
    // inputs in one turn becomes one pass. Fire-and-forget: the loop reports its own errors.
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.step();
      }
    } catch (error) {
      this.closed = true;
      this.onError(error);
    } finally {
      this.running = false;
    }
  }

  /** Whether a delivered commit (at or below `upTo`, if given) wrote into the query's read set. */
  private invalidated(query: ActiveQuery, upTo?: Timestamp): boolean {
    const readSet = query.readSet;
    if (readSet === undefined) return false;
    return this.commits.some(
      (c) =>
        (upTo === undefined || c.ts <= upTo) &&
        this.engine.isInvalidatedBy(readSet, c.writes),
    );
  }

  private async step(): Promise<void> {
    const mods = this.pendingMods.splice(0);
    const newIdentity = this.pendingIdentity;
    this.pendingIdentity = undefined;
    const identity = newIdentity?.identity ?? this.identity;

    const next = new Map(this.queries);
    const added = new Set<number>();
    const removed: number[] = [];
    for (const mod of mods) {
      for (const m of mod.modifications) {
        if (m.type === "Add") {
          const { udfPath, args, componentPath } = m;
          next.set(m.queryId, {
            udfPath,
            args,
            componentPath,
            journal: m.journal ?? null,
            readSet: undefined,
          });
          added.add(m.queryId);
        } else if (next.delete(m.queryId) && !added.delete(m.queryId)) {
          removed.push(m.queryId);
        }
      }
    }

    // Queries to (re)compute: new ones, all of them on an identity change, else the invalidated.
    const toRun = new Set<number>(newIdentity ? next.keys() : added);
    if (!newIdentity) {
      for (const [id, q] of next) if (this.invalidated(q)) toRun.add(id);
    }

    let ts: Timestamp;
    const results = new Map<number, QueryOutcome | undefined>();
    if (toRun.size === 0) {
      // Nothing we hold was touched by any delivered commit: the results stand at the newest ts.
      const newestCommit = this.commits.reduce(
        (m, c) => (c.ts > m ? c.ts : m),
        0n,
      );
      ts = [this.validThrough, this.engine.latestTs(), newestCommit].reduce(
        (a, b) => (b > a ? b : a),
      );
    } else {
      // Run at one snapshot; commits that arrived meanwhile may touch queries we did not run, in
      // which case run those too, all together, at a newer snapshot. The set only grows.
      for (;;) {
        const ids = [...toRun].filter(
          (id) => next.get(id)?.componentPath === undefined,
        );
        const { ts: snapshot, outcomes } =
          ids.length > 0
            ? await this.engine.runQueries(
                ids.map((id) => {
                  const q = next.get(id) as ActiveQuery;
                  return { udfPath: q.udfPath, args: q.args, identity };
                }),
              )
            : { ts: this.engine.latestTs(), outcomes: [] };
        if (this.closed) return;
        if (snapshot < this.validThrough) {
          throw new Error(
            `engine snapshot ${snapshot} is older than ${this.validThrough}`,
          );
        }
        ts = snapshot;
        results.clear();
        ids.forEach((id, i) => results.set(id, outcomes[i]));
        let grew = false;
        for (const [id, q] of next) {
          if (!toRun.has(id) && this.invalidated(q, ts)) {
            toRun.add(id);
            grew = true;
          }
        }
        if (!grew) break;
      }
    }

    const modifications: StateModification[] = removed.map((queryId) => ({
      type: "QueryRemoved",
      queryId,
    }));
    for (const id of toRun) {
      const q = next.get(id) as ActiveQuery;
      const outcome = results.get(id);
      q.readSet = outcome?.readSet;
      modifications.push(queryModification(id, outcome, q.journal));
    }

    this.commits = this.commits.filter((c) => c.ts > ts);
    this.validThrough = ts;
    this.queries = next;
    this.identity = identity;

    const end: StateVersion = {
      querySet:
        mods.length > 0
          ? (mods[mods.length - 1] as QuerySetModification).newVersion
          : this.sent.querySet,
      identity: newIdentity?.version ?? this.sent.identity,
      ts,
    };
    const changed =
      modifications.length > 0 ||
      end.querySet !== this.sent.querySet ||
      end.identity !== this.sent.identity;
    const reaches = ts >= this.minTs;
    if (changed || (this.mustReach && reaches)) {
      this.send({
        type: "Transition",
        startVersion: this.sent,
        endVersion: end,
        modifications,
      });
      this.sent = end;
      if (reaches) this.mustReach = false;
    }
    // Safety net, not a path the protocol relies on (the engine makes a commit visible before
    // it resolves a mutation or returns a snapshot): if a mutation's ts is not reached yet, or a
    // delivered commit is newer than the snapshot we got, look again shortly rather than spin.
    if ((this.mustReach && !reaches) || this.commits.length > 0) {
      this.retryLater();
    }
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}
