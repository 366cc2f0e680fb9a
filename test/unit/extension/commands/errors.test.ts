import { ConvexError } from "convex/values";
import { describe, expect, test } from "vitest";
import {
  errorCode,
  userMessage as errorMessage,
  UserError,
} from "../../../../extension/util/errors";

describe("error messages for people", () => {
  test("a ConvexError shows its data.message and exposes its code", () => {
    const error = new ConvexError({
      code: "ILLEGAL_TRANSITION",
      message: "A done task can only go back to To do.",
    });
    expect(errorMessage(error)).toBe("A done task can only go back to To do.");
    expect(errorCode(error)).toBe("ILLEGAL_TRANSITION");
  });

  test("a ConvexError from another copy of the class is recognised by shape", () => {
    const foreign = Object.assign(new Error('{"code":"NOT_FOUND"}'), {
      name: "ConvexError",
      data: { code: "NOT_FOUND", message: "Task not found." },
    });
    expect(errorMessage(foreign)).toBe("Task not found.");
    expect(errorCode(foreign)).toBe("NOT_FOUND");
  });

  test("string data, plain errors, user errors and odd throws", () => {
    expect(errorMessage(new ConvexError("Nope."))).toBe("Nope.");
    expect(errorCode(new ConvexError("Nope."))).toBeUndefined();
    expect(errorMessage(new Error("Backend unreachable."))).toBe(
      "Backend unreachable.",
    );
    expect(errorCode(new Error("x"))).toBeUndefined();
    expect(errorMessage(new UserError("Open a folder first."))).toBe(
      "Open a folder first.",
    );
    expect(errorMessage("text")).toBe("text");
    expect(errorMessage(undefined)).toMatch(/Something went wrong/);
  });
});
