/**
 * Harmless per-view UI state (filters, toggles) kept across reloads with
 * `vscode.setState`. VS Code writes it to disk, so nothing secret goes here:
 * the store only accepts the fields a view declares, each checked on the way
 * back in (an old or corrupted state falls back to the default).
 */
import type { Guard } from "../protocol";

export interface StateStorage {
  getState(): unknown;
  setState<T>(state: T): T;
}

export type UiSchema<T> = { readonly [K in keyof T]: Guard<T[K]> };

export class UiState<T extends Record<string, unknown>> {
  private value: T;

  constructor(
    private readonly storage: StateStorage,
    private readonly schema: UiSchema<T>,
    defaults: T,
  ) {
    this.value = UiState.read(storage.getState(), schema, defaults);
  }

  get(): T {
    return this.value;
  }

  /** Merges and persists; returns the new value. */
  update(patch: Partial<T>): T {
    this.value = { ...this.value, ...patch };
    this.storage.setState(this.value);
    return this.value;
  }

  static read<T extends Record<string, unknown>>(
    stored: unknown,
    schema: UiSchema<T>,
    defaults: T,
  ): T {
    const result: T = { ...defaults };
    if (typeof stored !== "object" || stored === null) return result;
    const record = stored as Record<string, unknown>;
    for (const key of Object.keys(schema) as (keyof T & string)[]) {
      const value = record[key];
      if (Object.hasOwn(record, key) && schema[key](value)) result[key] = value;
    }
    return result;
  }
}
