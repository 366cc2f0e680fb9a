/** Outcomes of calls expected to fail with one of our ConvexError codes. */
import { expect } from "vitest";
import { errorCode, type ErrorCode } from "../../convex/model/errors";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Awaits a call and says how it ended, without throwing. */
export async function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return await promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
}

/** Awaits a call that must fail with `code`. */
export async function expectCode(
  promise: Promise<unknown>,
  code: ErrorCode,
): Promise<void> {
  const outcome = await settle(promise);
  if (outcome.ok) {
    expect.fail(
      `Expected ${code}, but the call succeeded with ${JSON.stringify(outcome.value)}.`,
    );
  }
  expect(errorCode(outcome.error), describeError(outcome.error)).toBe(code);
}

/** The code a settled call failed with ("fulfilled" if it did not fail), for races. */
export function rejectionCode(
  result: PromiseSettledResult<unknown>,
): ErrorCode | "fulfilled" | undefined {
  return result.status === "fulfilled" ? "fulfilled" : errorCode(result.reason);
}

/** An error as a failure message: ConvexError data when there is some. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const data: unknown = "data" in error ? error.data : undefined;
    return data === undefined
      ? `${error.name}: ${error.message}`
      : `${error.name}: ${JSON.stringify(data)}`;
  }
  return String(error);
}
