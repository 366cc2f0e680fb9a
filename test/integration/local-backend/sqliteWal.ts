/**
 * Reads what a SQLite write-ahead log holds up to its last commit frame
 * (https://sqlite.org/fileformat2.html#walformat), so a test can tell from
 * outside whether a transaction is durable while the backend holds the
 * database exclusively. Frames after the last commit frame are ignored, as
 * SQLite's recovery would ignore them.
 */
import { readFileSync } from "node:fs";

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** The committed pages' bytes as latin1 text ("" when there is no WAL yet). */
export function committedWalText(walPath: string): string {
  let wal: Buffer;
  try {
    wal = readFileSync(walPath);
  } catch {
    return "";
  }
  if (wal.length < WAL_HEADER) return "";
  const pageSize = wal.readUInt32BE(8);
  let offset = WAL_HEADER;
  let committedEnd = WAL_HEADER;
  while (offset + FRAME_HEADER + pageSize <= wal.length) {
    // Bytes 4-7 of a frame header: the database size after a commit, else 0.
    const isCommit = wal.readUInt32BE(offset + 4) !== 0;
    offset += FRAME_HEADER + pageSize;
    if (isCommit) committedEnd = offset;
  }
  return wal.subarray(WAL_HEADER, committedEnd).toString("latin1");
}
