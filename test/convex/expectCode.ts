/** Asserting on the stable error codes that `fail()` throws (convex/model/errors.ts). */
import { expect } from "vitest";
import { errorCode, type ErrorCode } from "../../convex/model/errors";

/** Awaits `promise` and asserts it rejected with a ConvexError carrying `code`. */
export async function expectCode(
  promise: Promise<unknown>,
  code: ErrorCode,
): Promise<void> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) {
    expect.fail(
      `Expected ${code}, but the call succeeded with ${JSON.stringify(outcome.value)}`,
    );
  }
  expect(errorCode(outcome.error), describeError(outcome.error)).toBe(code);
}

/** The code of a settled promise's rejection, for Promise.allSettled races. */
export function rejectionCode(
  result: PromiseSettledResult<unknown>,
): ErrorCode | "fulfilled" | undefined {
  return result.status === "fulfilled" ? "fulfilled" : errorCode(result.reason);
}

function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
