/** The store's own failures, which callers tell apart by class. */

/** The database file exists but is not a readable SQLite database. */
export class StoreCorruptError extends Error {
  override name = "StoreCorruptError";
}

/** Another live process has the database open. */
export class StoreInUseError extends Error {
  override name = "StoreInUseError";
}
