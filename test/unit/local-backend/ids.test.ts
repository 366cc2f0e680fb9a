import { describe, expect, test } from "vitest";
import {
  MAX_TABLE_NUMBER,
  decodeId,
  isValidId,
  newId,
} from "../../../local-backend/engine/ids";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * An independent, test-side spelling of Convex's format (id_v6.rs), used to
 * craft ids the production encoder would never produce.
 */
function base32(bytes: readonly number[], trailingBits = 0): string {
  const bits = bytes.map((b) => b.toString(2).padStart(8, "0")).join("");
  const padded = bits.padEnd(Math.ceil(bits.length / 5) * 5, "0");
  let out = "";
  for (let i = 0; i < padded.length; i += 5) {
    out += ALPHABET[parseInt(padded.slice(i, i + 5), 2)];
  }
  if (trailingBits === 0) return out;
  // Set unused low bits of the last character, which Convex ignores.
  const last = ALPHABET.indexOf(out.at(-1) ?? "0") | trailingBits;
  return out.slice(0, -1) + ALPHABET[last];
}

function fletcher16(bytes: readonly number[]): [number, number] {
  let c0 = 0;
  let c1 = 0;
  for (const b of bytes) {
    c0 = (c0 + b) % 256;
    c1 = (c1 + c0) % 256;
  }
  return [c0, c1];
}

/** VInt bytes as given (possibly non-canonical), internal id, footer. */
function rawId(
  vint: number[],
  internal: number[] = new Array<number>(16).fill(7),
) {
  const body = [...vint, ...internal];
  return [...body, ...fletcher16(body)];
}

/** The internal id of Convex's `test_document_id_stability`. */
function convexTestInternalId(): Uint8Array {
  const internal = new Uint8Array(16);
  internal[0] = 251;
  for (let i = 1; i < 16; i++)
    internal[i] = ((internal[i - 1] ?? 0) * 251) & 0xff;
  return internal;
}

describe("newId", () => {
  test("matches Convex's own encoding (id_v6.rs stability test)", () => {
    expect(newId(1017, convexTestInternalId())).toBe(
      "z43zp6c3e75gkmz1kfwj6mbbx5sw281h",
    );
  });

  test("looks like a Convex id: lower-case Crockford base32, 31-37 characters", () => {
    const lengths: [number, number][] = [
      [1, 31],
      [127, 31],
      [128, 32],
      [16_383, 32],
      [16_384, 34],
      [2_097_151, 34],
      [2_097_152, 36],
      [MAX_TABLE_NUMBER, 37],
    ];
    for (const [tableNumber, length] of lengths) {
      const id = newId(tableNumber);
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]+$/);
      expect(id, `table ${tableNumber}`).toHaveLength(length);
    }
  });

  test("draws 16 bytes from the random source it is given", () => {
    const sizes: number[] = [];
    const id = newId(3, (size) => {
      sizes.push(size);
      return new Uint8Array(size).fill(9);
    });
    expect(sizes).toEqual([16]);
    expect(decodeId(id)).toEqual({
      tableNumber: 3,
      internalId: new Uint8Array(16).fill(9),
    });
  });

  test("ids are unique", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(5)));
    expect(ids.size).toBe(10_000);
  });

  test("refuses table numbers outside 1..2^32-1 and internal ids of the wrong size", () => {
    expect(() => newId(0)).toThrow("Invalid table number 0");
    expect(() => newId(-1)).toThrow();
    expect(() => newId(1.5)).toThrow();
    expect(() => newId(MAX_TABLE_NUMBER + 1)).toThrow();
    expect(() => newId(1, new Uint8Array(15))).toThrow("16 bytes");
  });
});

describe("decodeId", () => {
  test("round-trips table number and internal id", () => {
    for (const tableNumber of [
      1,
      2,
      127,
      128,
      300,
      10_001,
      16_384,
      123_456_789,
      MAX_TABLE_NUMBER,
    ]) {
      const internal = Uint8Array.from(
        { length: 16 },
        (_, i) => (i * 37 + tableNumber) & 0xff,
      );
      const id = newId(tableNumber, internal);
      expect(decodeId(id)).toEqual({ tableNumber, internalId: internal });
      expect(isValidId(id)).toBe(true);
    }
  });

  test("decodes ids made by Convex", () => {
    // From crates/value/src/sorting.rs (its random part starts with 0xFF).
    expect(decodeId("074wwt1x3qmwz35bvscy44eq2yngrt8")?.tableNumber).toBe(1);
    expect(decodeId("z43zp6c3e75gkmz1kfwj6mbbx5sw281h")).toEqual({
      tableNumber: 1017,
      internalId: convexTestInternalId(),
    });
  });

  test("the test-side encoder agrees with newId", () => {
    expect(base32(rawId([5]))).toBe(newId(5, new Uint8Array(16).fill(7)));
    expect(base32(rawId([0x80 | 44, 2]))).toBe(
      newId(300, new Uint8Array(16).fill(7)),
    );
  });

  test("refuses wrong lengths", () => {
    const id = newId(1);
    expect(decodeId("")).toBeNull();
    expect(decodeId(id.slice(0, -1))).toBeNull();
    expect(decodeId(id + "0")).toBeNull();
    expect(decodeId(id.repeat(2))).toBeNull();
    expect(decodeId("0".repeat(10_000))).toBeNull();
  });

  test("refuses characters outside the alphabet", () => {
    const id = newId(1);
    expect(decodeId(id.toUpperCase())).toBeNull();
    for (const bad of ["i", "l", "o", "u", "-", "_", "=", " ", "é"]) {
      expect(decodeId(bad + id.slice(1)), bad).toBeNull();
    }
  });

  test("refuses a bad checksum", () => {
    const id = newId(42, new Uint8Array(16).fill(1));
    for (let i = 0; i < id.length; i++) {
      const other = ALPHABET[(ALPHABET.indexOf(id[i] ?? "0") + 1) % 32];
      const changed = id.slice(0, i) + other + id.slice(i + 1);
      expect(decodeId(changed), `position ${i}`).toBeNull();
    }
  });

  test("refuses table number 0, VInts over 5 bytes or 32 bits, and truncated ones", () => {
    expect(decodeId(base32(rawId([0])))).toBeNull();
    expect(decodeId(base32(rawId([0xff, 0xff, 0xff, 0xff, 0x7f])))).toBeNull();
    expect(
      decodeId(base32(rawId([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))),
    ).toBeNull();
    // The largest table number, spelled out by hand.
    expect(
      decodeId(base32(rawId([0xff, 0xff, 0xff, 0xff, 0x0f])))?.tableNumber,
    ).toBe(MAX_TABLE_NUMBER);
  });

  test("accepts only the canonical spelling (Convex also accepts these aliases)", () => {
    // 0x81 0x00 is an over-long VInt for 1.
    expect(decodeId(base32(rawId([0x81, 0x00])))).toBeNull();
    // Non-zero unused bits in the last character.
    const canonical = base32(rawId([1]));
    expect(decodeId(canonical)?.tableNumber).toBe(1);
    expect(decodeId(base32(rawId([1]), 0b001))).toBeNull();
  });

  test("ids of the same table sort by their internal id", () => {
    const low = newId(9, new Uint8Array(16).fill(1));
    const high = newId(9, new Uint8Array(16).fill(2));
    expect(low < high).toBe(true);
  });
});
