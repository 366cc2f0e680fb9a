/**
 * Tiny runtime shape checks for untrusted messages. Everything that crosses the
 * webview boundary arrives as `unknown` (a compromised or buggy webview can post
 * anything), so each message definition carries guards built from these.
 * Hand-rolled instead of zod to keep the webview bundles small.
 */

/** A type guard: `true` only if `value` has the shape `T`. */
export type Guard<T> = (value: unknown) => value is T;

/** The type a guard checks for. */
export type Guarded<G> = G extends Guard<infer T> ? T : never;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const isString: Guard<string> = (value): value is string =>
  typeof value === "string";

export const isBoolean: Guard<boolean> = (value): value is boolean =>
  typeof value === "boolean";

/** A non-empty string: ids and names are never legitimately empty. */
export const isNonEmptyString: Guard<string> = (value): value is string =>
  typeof value === "string" && value.length > 0;

export function isOneOf<const T extends string>(
  values: readonly T[],
): Guard<T> {
  return (value): value is T =>
    typeof value === "string" && (values as readonly string[]).includes(value);
}

export function isLiteral<const T extends string | number | boolean>(
  literal: T,
): Guard<T> {
  return (value): value is T => value === literal;
}

export function isNullable<T>(guard: Guard<T>): Guard<T | null> {
  return (value): value is T | null => value === null || guard(value);
}

/** Either shape, for discriminated unions such as `{ ok: true } | { ok: false, ... }`. */
export function isEither<A, B>(a: Guard<A>, b: Guard<B>): Guard<A | B> {
  return (value): value is A | B => a(value) || b(value);
}

/**
 * An object with exactly these own fields checked (extra fields are tolerated, so
 * an older webview bundle does not break when the host adds a field).
 */
export function isObject<const S extends Record<string, Guard<unknown>>>(
  shape: S,
): Guard<{ [K in keyof S]: Guarded<S[K]> }> {
  return (value): value is { [K in keyof S]: Guarded<S[K]> } =>
    isRecord(value) &&
    Object.entries(shape).every(
      ([key, guard]) => Object.hasOwn(value, key) && guard(value[key]),
    );
}
