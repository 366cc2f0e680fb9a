import {
  CommitTsPlaceholder,
  compareValues as convexCompareValues,
  type Value,
} from "convex/values";
import { describe, expect, test } from "vitest";
import {
  compareIndexKeys,
  compareStrings,
  compareValues,
  formatFloat,
  formatValue,
  valuesEqual,
  type KeyValue,
} from "../../../local-backend/engine/values";

const bytes = (...values: number[]) => Uint8Array.from(values).buffer;
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** A float with the given IEEE-754 bits (for NaNs with a sign). */
function floatFromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

/** Asserts `values` is strictly increasing, comparing every pair. */
function expectStrictlyIncreasing(values: readonly KeyValue[]) {
  values.forEach((a, i) =>
    values.forEach((b, j) => {
      expect(sign(compareValues(a, b)), `${i} vs ${j}`).toBe(sign(i - j));
    }),
  );
}

describe("compareValues: Convex's cross-type order", () => {
  test("undefined < null < int64 < float64 < boolean < string < bytes < array < object", () => {
    expectStrictlyIncreasing([
      undefined,
      null,
      9_000_000n,
      -1e300,
      false,
      "",
      bytes(),
      [],
      {},
    ]);
  });

  test("an int64 sorts before every float64 whatever their magnitudes", () => {
    expect(compareValues(2n ** 62n, -Infinity)).toBeLessThan(0);
    expect(compareValues(1n, 1)).toBeLessThan(0);
  });

  test("an unresolved commit timestamp sorts after every int64, before floats", () => {
    const placeholder = new CommitTsPlaceholder();
    expectStrictlyIncreasing([2n ** 63n - 2n, placeholder, -Infinity]);
    expect(compareValues(2n ** 63n - 1n, placeholder)).toBe(0);
  });
});

describe("compareValues within a type", () => {
  test("int64 in numeric order", () => {
    expectStrictlyIncreasing([-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n]);
  });

  test("float64 in IEEE total order: -NaN < -inf < -0 < +0 < inf < NaN", () => {
    const negativeNaN = floatFromBits(0xfff8_0000_0000_0000n);
    expect(Number.isNaN(negativeNaN)).toBe(true);
    expectStrictlyIncreasing([
      negativeNaN,
      -Infinity,
      -1e300,
      -1,
      -Number.MIN_VALUE,
      -0,
      0,
      Number.MIN_VALUE,
      0.5,
      1,
      Infinity,
      NaN,
    ]);
    expect(compareValues(NaN, NaN)).toBe(0);
    expect(valuesEqual(-0, 0)).toBe(false);
    expect(valuesEqual(0, 0)).toBe(true);
  });

  test("two NaNs differ when their bits differ (as on the server)", () => {
    const quiet = floatFromBits(0x7ff8_0000_0000_0000n);
    const payload = floatFromBits(0x7ff8_0000_0000_0001n);
    expect(compareValues(quiet, payload)).toBeLessThan(0);
    const negative = floatFromBits(0xfff8_0000_0000_0000n);
    const negativePayload = floatFromBits(0xfff8_0000_0000_0001n);
    // Total order: the larger negative payload is the smaller value.
    expect(compareValues(negativePayload, negative)).toBeLessThan(0);
  });

  test("booleans: false < true", () => {
    expectStrictlyIncreasing([false, true]);
  });

  test("strings by UTF-8 bytes, not UTF-16 code units", () => {
    // U+FFFF is EF BF BF in UTF-8 but 0xFFFF in UTF-16; U+10000 is F0 90 80 80
    // in UTF-8 but starts with the surrogate 0xD800 in UTF-16.
    expect("\u{10000}" < "\uffff").toBe(true);
    expect(compareValues("\uffff", "\u{10000}")).toBeLessThan(0);
    expectStrictlyIncreasing([
      "",
      "A",
      "Z",
      "a",
      "ab",
      "b",
      "é",
      "\ue000",
      "\uffff",
      "\u{10000}",
      "\u{10000}a",
      "\u{10001}",
    ]);
    expect(compareValues("same", "same")).toBe(0);
  });

  test("bytes: unsigned lexicographic, a prefix first", () => {
    expectStrictlyIncreasing([
      bytes(),
      bytes(0),
      bytes(0, 0),
      bytes(0, 255),
      bytes(1),
      bytes(127),
      bytes(128),
      bytes(255),
    ]);
    expect(compareValues(bytes(1, 2), bytes(1, 2))).toBe(0);
  });

  test("arrays element by element, a prefix first", () => {
    expectStrictlyIncreasing([
      [],
      [null],
      [null, null],
      [1n],
      [1],
      [1, "a"],
      [1, "b"],
      [2],
      ["a"],
      [[]],
    ]);
  });

  test("objects as key, value, key, value... in key order, a prefix first", () => {
    expectStrictlyIncreasing([
      {},
      { a: null },
      { a: 1 },
      { a: 1, b: 0 },
      { a: 2 },
      { a: "z" },
      { b: 0 },
      { b: 0, c: 0 },
      { c: null },
    ]);
    // Key order, not insertion order.
    expect(compareValues({ b: 1, a: 1 }, { a: 1, b: 1 })).toBe(0);
    // An undefined field is an absent field, as in storage.
    expect(compareValues({ a: 1, b: undefined }, { a: 1 })).toBe(0);
  });
});

describe("compareIndexKeys", () => {
  test("a missing field (undefined) sorts before null", () => {
    expect(compareIndexKeys(["x", undefined], ["x", null])).toBeLessThan(0);
    expect(compareIndexKeys([undefined], [undefined])).toBe(0);
  });

  test("field by field, then a shorter key first", () => {
    expect(compareIndexKeys(["a", 2], ["b", 1])).toBeLessThan(0);
    expect(compareIndexKeys(["a", 1], ["a", 2])).toBeLessThan(0);
    expect(compareIndexKeys(["a"], ["a", undefined])).toBeLessThan(0);
    expect(compareIndexKeys([], [])).toBe(0);
  });
});

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(next: () => number, depth: number): Value {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(next() * items.length)] as T;
  const kind = Math.floor(next() * (depth > 0 ? 9 : 7));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return pick([-(2n ** 63n), -5n, 0n, 1n, 7n, 2n ** 63n - 1n]);
    case 2:
      return pick([
        -Infinity,
        -2.5,
        -1,
        -0,
        0,
        0.25,
        1,
        3,
        1e20,
        Infinity,
        NaN,
      ]);
    case 3:
      return next() < 0.5;
    case 4:
      return pick([
        "",
        "a",
        "ab",
        "b",
        "B",
        "é",
        "\uffff",
        "\u{10000}",
        "日本",
      ]);
    case 5:
      return bytes(
        ...Array.from({ length: Math.floor(next() * 3) }, () =>
          pick([0, 1, 128, 255]),
        ),
      );
    case 6:
      return pick(["a", "b", 1, 2n, null]);
    case 7:
      return Array.from({ length: Math.floor(next() * 3) }, () =>
        randomValue(next, depth - 1),
      );
    default: {
      const object: Record<string, Value> = {};
      for (const key of ["a", "b", "c"]) {
        if (next() < 0.5) object[key] = randomValue(next, depth - 1);
      }
      return object;
    }
  }
}

describe("compareValues is a total order (property test)", () => {
  const next = random(20_240_601);
  const values: Value[] = Array.from({ length: 160 }, () =>
    randomValue(next, 2),
  );

  test("reflexive and antisymmetric on every pair", () => {
    for (const a of values) {
      expect(compareValues(a, a)).toBe(0);
      for (const b of values) {
        expect(sign(compareValues(a, b)) + sign(compareValues(b, a))).toBe(0);
      }
    }
  });

  test("transitive: sorting gives a sequence ordered on every pair", () => {
    const sorted = [...values].sort(compareValues);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        expect(compareValues(sorted[i], sorted[j])).toBeLessThanOrEqual(0);
      }
    }
    // Equal-to is an equivalence: a == b and b == c imply a == c.
    for (const a of values) {
      const equals = values.filter((b) => valuesEqual(a, b));
      for (const b of equals)
        for (const c of equals) expect(valuesEqual(b, c)).toBe(true);
    }
  });

  test("agrees with the convex package's own compareValues", () => {
    for (const a of values) {
      for (const b of values) {
        expect(sign(compareValues(a, b))).toBe(sign(convexCompareValues(a, b)));
      }
    }
  });
});

describe("compareStrings", () => {
  test("is the order of the UTF-8 encodings", () => {
    const strings = [
      "",
      "a",
      "é",
      "z",
      "\u07ff",
      "\u0800",
      "\ud7ff",
      "\ue000",
      "\u{10000}",
      "\u{10ffff}",
    ];
    for (const a of strings) {
      for (const b of strings) {
        const utf8 = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect(sign(compareStrings(a, b))).toBe(utf8);
      }
    }
  });
});

describe("formatValue: values as Convex prints them in errors", () => {
  test("scalars", () => {
    expect(formatValue(null)).toBe("null");
    expect(formatValue(3n)).toBe("3");
    expect(formatValue(3)).toBe("3.0");
    expect(formatValue(true)).toBe("true");
    expect(formatValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(formatValue(bytes(1, 2, 3))).toBe('b"AQID"');
    expect(formatValue(undefined)).toBe("undefined");
  });

  test("arrays and objects, keys sorted", () => {
    expect(formatValue([1, "a", [null]])).toBe('[1.0, "a", [null]]');
    expect(formatValue({ b: 1n, a: { c: false } })).toBe(
      "{a: {c: false}, b: 1}",
    );
  });

  test("floats in Rust's {:?} form", () => {
    expect(formatFloat(0)).toBe("0.0");
    expect(formatFloat(-0)).toBe("-0.0");
    expect(formatFloat(1.5)).toBe("1.5");
    expect(formatFloat(-42)).toBe("-42.0");
    expect(formatFloat(1e15)).toBe("1000000000000000.0");
    expect(formatFloat(1e16)).toBe("1e16");
    expect(formatFloat(1.5e-7)).toBe("1.5e-7");
    expect(formatFloat(0.0001)).toBe("0.0001");
    expect(formatFloat(NaN)).toBe("NaN");
    expect(formatFloat(Infinity)).toBe("inf");
    expect(formatFloat(-Infinity)).toBe("-inf");
  });
});
