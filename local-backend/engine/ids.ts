/**
 * Document ids in Convex's own format (`crates/value/src/id_v6.rs` and
 * `base32.rs` in get-convex/convex-backend), so ids from the local backend
 * look and behave like cloud ids and carry their table:
 *
 *   binary  = VInt(tableNumber) ++ internalId (16 bytes) ++ footer (2 bytes)
 *   footer  = fletcher16(VInt(tableNumber) ++ internalId) ^ VERSION, little-endian
 *   id      = base32(binary), Crockford's alphabet in lower case, no padding
 *
 * The VInt is LEB128 (7 bits per byte, low bits first, high bit = "more"),
 * one to five bytes for a u32 table number (never 0). So tables 1..127 give
 * 31-character ids and 128..16383 give 32, as `getDocumentSize` in
 * convex/src/values/size.ts also notes.
 *
 * One deliberate difference: Convex's decoder ignores the unused low bits of
 * the last base32 character and accepts over-long VInts, so a few strings
 * alias one id. We accept only the canonical spelling (decode, re-encode,
 * compare), because the engine keys documents by the id string.
 */
import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const INTERNAL_ID_LENGTH = 16;
const FOOTER_LENGTH = 2;
const VERSION = 0;
const MAX_VINT_LENGTH = 5;
/** base32 lengths of the shortest (1-byte VInt) and longest (5-byte) ids. */
const MIN_ID_LENGTH = encodedLength(1 + INTERNAL_ID_LENGTH + FOOTER_LENGTH);
const MAX_ID_LENGTH = encodedLength(
  MAX_VINT_LENGTH + INTERNAL_ID_LENGTH + FOOTER_LENGTH,
);

export const MAX_TABLE_NUMBER = 0xffff_ffff;

/** Character code -> 5-bit digit, -1 for characters outside the alphabet. */
const DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;

export type DecodedId = { tableNumber: number; internalId: Uint8Array };

/** Supplies `size` random bytes (by default from a pool filled by crypto.randomFillSync). */
export type RandomSource = (size: number) => Uint8Array;

/**
 * Cryptographic random bytes drawn from a pool refilled 4 KiB at a time: one
 * `randomFillSync` per 256 ids instead of one per id (each call costs tens of
 * microseconds here, a visible share of a small mutation).
 */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function pooledRandomBytes(size: number): Uint8Array {
  if (size > pool.length) return randomFillSync(new Uint8Array(size));
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // A copy: the pool's bytes are overwritten on the next refill.
  const bytes = pool.slice(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
}

/**
 * A fresh id for a document of the table numbered `tableNumber`. `random`
 * may be a random source or the 16 internal-id bytes themselves (tests).
 */
export function newId(
  tableNumber: number,
  random: RandomSource | Uint8Array = pooledRandomBytes,
): string {
  if (
    !Number.isInteger(tableNumber) ||
    tableNumber < 1 ||
    tableNumber > MAX_TABLE_NUMBER
  ) {
    throw new Error(`Invalid table number ${tableNumber}`);
  }
  const internalId =
    random instanceof Uint8Array ? random : random(INTERNAL_ID_LENGTH);
  if (internalId.length !== INTERNAL_ID_LENGTH) {
    throw new Error(`An internal id has ${INTERNAL_ID_LENGTH} bytes`);
  }
  const table = encodeVInt(tableNumber);
  const binary = new Uint8Array(table.length + INTERNAL_ID_LENGTH + 2);
  binary.set(table, 0);
  binary.set(internalId, table.length);
  const footer = fletcher16(binary.subarray(0, binary.length - 2)) ^ VERSION;
  binary[binary.length - 2] = footer & 0xff;
  binary[binary.length - 1] = footer >>> 8;
  return base32Encode(binary);
}

/** The table number and internal id of a well-formed id, else null. */
export function decodeId(id: string): DecodedId | null {
  // Length first, so that a huge string is refused without decoding it.
  if (id.length < MIN_ID_LENGTH || id.length > MAX_ID_LENGTH) return null;
  const binary = base32Decode(id);
  if (binary === null) return null;
  const vint = decodeVInt(binary);
  if (vint === null) return null;
  const { value: tableNumber, length } = vint;
  if (tableNumber === 0) return null;
  if (binary.length !== length + INTERNAL_ID_LENGTH + FOOTER_LENGTH) {
    return null;
  }
  const bodyLength = length + INTERNAL_ID_LENGTH;
  const footer =
    (binary[bodyLength] ?? 0) | ((binary[bodyLength + 1] ?? 0) << 8);
  if (footer !== (fletcher16(binary.subarray(0, bodyLength)) ^ VERSION)) {
    return null;
  }
  // Only the canonical spelling: no stray padding bits, no over-long VInt.
  if (
    base32Encode(binary) !== id ||
    encodeVInt(tableNumber).length !== length
  ) {
    return null;
  }
  return {
    tableNumber,
    internalId: binary.slice(length, bodyLength),
  };
}

export function isValidId(id: string): boolean {
  return decodeId(id) !== null;
}

function encodedLength(bytes: number): number {
  return Math.ceil((bytes * 8) / 5);
}

function encodeVInt(n: number): Uint8Array {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

function decodeVInt(
  bytes: Uint8Array,
): { value: number; length: number } | null {
  let value = 0;
  for (let i = 0; i < MAX_VINT_LENGTH; i++) {
    const byte = bytes[i];
    if (byte === undefined) return null;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) {
      return value > MAX_TABLE_NUMBER ? null : { value, length: i + 1 };
    }
  }
  return null;
}

/** Fletcher-16 with modulus 256, as Convex computes it: (c1 << 8) | c0. */
function fletcher16(bytes: Uint8Array): number {
  let c0 = 0;
  let c1 = 0;
  for (const byte of bytes) {
    c0 = (c0 + byte) & 0xff;
    c1 = (c1 + c0) & 0xff;
  }
  return (c1 << 8) | c0;
}

/** Big-endian bit stream, 5 bits per character, last group zero-padded. */
function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Strict: only lower-case alphabet characters; trailing bits are dropped. */
function base32Decode(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? (DIGITS[code] ?? -1) : -1;
    if (digit < 0) return null;
    buffer = ((buffer << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (index < out.length) out[index++] = (buffer >>> bits) & 0xff;
    }
  }
  return out;
}
