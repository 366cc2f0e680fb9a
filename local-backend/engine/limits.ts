/**
 * Convex's per-transaction and per-function limits (docs.convex.dev/production/
 * state/limits), enforced here so code that runs locally also runs on Convex
 * cloud. Breaking one fails the function with a message naming the limit.
 */
export const LIMITS = {
  /** Documents a query or mutation may scan. */
  documentsScanned: 32_000,
  /** db.get / db.query calls (index ranges) per transaction. */
  indexRanges: 4_096,
  documentsWritten: 16_000,
  bytesRead: 16 * 1024 * 1024,
  bytesWritten: 16 * 1024 * 1024,
  documentSize: 1024 * 1024,
  argumentsSize: 16 * 1024 * 1024,
  returnValueSize: 16 * 1024 * 1024,
  /** Wall time of a query or mutation; Convex counts 1 s of user code, we allow a little I/O slack. */
  queryOrMutationMs: 1_000,
  actionMs: 10 * 60_000,
  scheduledPerTransaction: 1_000,
} as const;
