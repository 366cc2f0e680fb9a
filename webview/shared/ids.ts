import type { Id, TableNames } from "../../convex/_generated/dataModel";

/**
 * Ids arrive from the host as plain strings (the protocol does not know
 * Convex's branded id types). Casting is safe because the server validates
 * every id argument against its table and refuses anything else.
 */
export function asId<T extends TableNames>(value: string): Id<T> {
  return value as Id<T>;
}
