/** Bounds on reads and inputs, so every query and mutation stays small. */
export const LIMITS = {
  titleLength: 200,
  descriptionLength: 20_000,
  labelLength: 40,
  labels: 20,
  dependencies: 50,
  /** Tasks visited by the cycle check before it gives up with an error. */
  dependencyGraphVisit: 2_000,
  /** Dependents updated when a blocker finishes. */
  dependents: 200,
  messageLength: 20_000,
  summaryLength: 500,
  detailsLength: 20_000,
  /** Ready tasks considered when claiming "the next one". */
  claimScan: 50,
  /** Expired leases reclaimed per cron run; the next run takes the rest. */
  reclaimBatch: 100,
  listPage: 100,
  /** Cards per board column page: one screenful and then some. */
  boardPage: 200,
} as const;

export const LEASE = {
  defaultMs: 15 * 60_000,
  minMs: 10_000,
  maxMs: 4 * 60 * 60_000,
} as const;

export const APPROVAL = {
  defaultTtlMs: 24 * 60 * 60_000,
  maxTtlMs: 30 * 24 * 60 * 60_000,
} as const;
