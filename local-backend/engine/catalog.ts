/**
 * Which tables exist, their numbers (encoded in every id), their indexes and
 * document validators. Table numbers are durable: new ones are handed to the
 * next commit through `takeNewTableNumbers()`.
 */
import { Database, type IndexDef, type Table } from "./database";
import { fail } from "./errors";
import { decodeId, newId } from "./ids";
import type { ParsedSchema } from "./schema";
import {
  checkDocument,
  documentSchemaError,
  validateDocument,
  type IdContext,
} from "./validators";
import type { Doc } from "./database";

/** Convex's system tables we keep; `_storage` is refused (no file storage). */
export const SCHEDULED_FUNCTIONS = "_scheduled_functions";
const SYSTEM_TABLE_NUMBER_BASE = 10_001;
const USER_TABLE_NUMBER_BASE = 1;

export const TABLE_NUMBER_KEY_PREFIX = "table:";

/** The durable table numbers among the store's key/value rows ("table:<name>" -> number). */
export function tableNumbersFrom(
  kv: ReadonlyMap<string, string>,
): Map<string, number> {
  const tableNumbers = new Map<string, number>();
  for (const [key, value] of kv) {
    if (key.startsWith(TABLE_NUMBER_KEY_PREFIX)) {
      tableNumbers.set(
        key.slice(TABLE_NUMBER_KEY_PREFIX.length),
        Number(value),
      );
    }
  }
  return tableNumbers;
}

/**
 * How many valid ids a Catalog remembers with their table number. Decoding
 * checks an id's checksum and canonical spelling (~20 µs here), and a
 * mutation checks the same few ids many times (arguments, validators, each
 * read and write). Past this size the cache starts over.
 */
const ID_CACHE_SIZE = 50_000;

export class Catalog implements IdContext {
  private readonly newTableNumbers: Record<string, string> = {};
  private readonly idTables = new Map<string, number>();

  constructor(
    readonly db: Database,
    private schema: ParsedSchema | null,
    tableNumbers: ReadonlyMap<string, number>,
  ) {
    for (const [name, tableNumber] of tableNumbers) {
      db.addTable(name, tableNumber, this.indexDefsOf(name));
    }
    this.ensureTable(SCHEDULED_FUNCTIONS);
    for (const name of schema?.tables.keys() ?? []) this.ensureTable(name);
  }

  get schemaValidation(): boolean {
    return this.schema?.schemaValidation ?? false;
  }

  private indexDefsOf(name: string): IndexDef[] {
    // by_id and by_creation_time are built into every Table.
    return (this.schema?.tables.get(name)?.indexes ?? []).filter(
      (index) => index.name !== "by_id" && index.name !== "by_creation_time",
    );
  }

  private ensureTable(name: string): Table {
    const existing = this.db.table(name);
    if (existing !== undefined) return existing;
    const base = name.startsWith("_")
      ? SYSTEM_TABLE_NUMBER_BASE
      : USER_TABLE_NUMBER_BASE;
    const tableNumber = this.db.nextTableNumber(base);
    this.newTableNumbers[TABLE_NUMBER_KEY_PREFIX + name] = String(tableNumber);
    return this.db.addTable(name, tableNumber, this.indexDefsOf(name));
  }

  /** New table numbers since the last call, as kv entries for the next commit. */
  takeNewTableNumbers(): Record<string, string> {
    const entries = { ...this.newTableNumbers };
    for (const key of Object.keys(this.newTableNumbers))
      delete this.newTableNumbers[key];
    return entries;
  }

  /** Keeps table numbers another catalog had not written yet (a code reload hands them over). */
  adoptPending(entries: Record<string, string>): void {
    Object.assign(this.newTableNumbers, entries);
  }

  /** A table that may be read; unknown tables read as empty. */
  tableForRead(name: string): Table | undefined {
    return this.db.table(name);
  }

  /** A user table that may be written; created on first write when there is no schema. */
  tableForWrite(name: string): Table {
    if (name.startsWith("_"))
      fail(`System table ${name} cannot be written directly.`);
    if (
      this.schema !== null &&
      this.schemaValidation &&
      !this.schema.tables.has(name)
    ) {
      fail(
        `Table "${name}" is not in the schema (convex/schema.ts); add it there first.`,
      );
    }
    return this.ensureTable(name);
  }

  systemTable(name: string): Table {
    return this.ensureTable(name);
  }

  tableOfId(id: string): Table | undefined {
    let tableNumber = this.idTables.get(id);
    if (tableNumber === undefined) {
      const decoded = decodeId(id);
      if (decoded === null) return undefined;
      tableNumber = decoded.tableNumber;
      this.remember(id, tableNumber);
    }
    return this.db.tableByNumber(tableNumber);
  }

  private remember(id: string, tableNumber: number): void {
    if (this.idTables.size >= ID_CACHE_SIZE) this.idTables.clear();
    this.idTables.set(id, tableNumber);
  }

  /** A fresh id for a document of `table`, known to the id cache from the start. */
  newIdIn(table: Table): string {
    const id = newId(table.number);
    this.remember(id, table.number);
    return id;
  }

  isIdOfTable(id: string, tableName: string): boolean {
    return this.tableOfId(id)?.name === tableName;
  }

  tableNameOfId(id: string): string | null {
    return this.tableOfId(id)?.name ?? null;
  }

  /** Null when the document fits Convex's storage rules and its table's validator. */
  validateDocument(table: string, doc: Doc): string | null {
    const limits = checkDocument(doc);
    if (limits !== null) return limits;
    const documentType = this.schemaValidation
      ? this.schema?.tables.get(table)?.documentType
      : null;
    if (documentType === undefined || documentType === null) return null;
    const error = validateDocument(documentType, doc, this);
    return error === null ? null : documentSchemaError(table, error);
  }
}
