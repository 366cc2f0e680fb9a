/** Input checks that validators cannot express (lengths, formats, ranges). */
import { fail } from "./errors";

export function requireText(
  field: string,
  value: string,
  maxLength: number,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): string {
  const trimmed = value.trim();
  if (!allowEmpty && trimmed.length === 0) {
    fail("INVALID_ARGUMENT", `${field} must not be empty.`);
  }
  if (value.length > maxLength) {
    fail(
      "INVALID_ARGUMENT",
      `${field} is longer than ${maxLength} characters.`,
    );
  }
  return allowEmpty ? value : trimmed;
}

export function requireRange(
  field: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    fail("INVALID_ARGUMENT", `${field} must be between ${min} and ${max}.`);
  }
  return value;
}

export function requireLabels(
  labels: readonly string[],
  max: number,
  maxLength: number,
) {
  if (labels.length > max) fail("INVALID_ARGUMENT", `At most ${max} labels.`);
  const cleaned = labels.map((label) =>
    requireText("A label", label, maxLength),
  );
  return [...new Set(cleaned)];
}
