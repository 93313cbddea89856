import { SyncError } from './errors.js';

/** The part of `node:sqlite` the ledger uses (typed here: the workspace's @types/node predates it). */
export interface SqliteStatement {
  run(...params: SqliteValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqliteValue[]): SqliteRow | undefined;
  all(...params: SqliteValue[]): SqliteRow[];
  /** One row at a time (Node.js ≥ 22.13): memory stays flat whatever the number of rows. */
  iterate(...params: SqliteValue[]): IterableIterator<SqliteRow>;
}

export type SqliteValue = string | number | bigint | null | Uint8Array;

export type SqliteRow = Record<string, SqliteValue>;

export interface SqliteDatabase {
  /** Whether a transaction is open (SQLite ends one on its own after some failures, e.g. a full disk). */
  readonly isTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

interface SqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number; readOnly?: boolean }) => SqliteDatabase;
}

const SQLITE_WARNING = 'SQLite is an experimental feature';

let loaded: SqliteModule | null | undefined;

/**
 * Loads `node:sqlite` once. On Node.js 22 loading it emits an ExperimentalWarning that a user of camdl
 * can do nothing about: only that warning, emitted synchronously by this one load, is dropped; every
 * other warning (and this one, had another module loaded SQLite first) goes through untouched.
 */
function loadSqlite(): SqliteModule | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const message = typeof warning === 'string' ? warning : warning.message;
    if (message.startsWith(SQLITE_WARNING)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = (typeof process.getBuiltinModule === 'function' ? (process.getBuiltinModule('node:sqlite') as SqliteModule | undefined) : undefined) ?? null;
  } catch {
    loaded = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded ?? undefined;
}

/**
 * Opens a database with the built-in `node:sqlite` (Node.js ≥ 22.19). `path` may be a `file:` URI
 * (`?immutable=1`). `readOnly`: the connection can never write the file.
 */
export function openSqlite(path: string, options: { timeout: number; readOnly?: boolean }): SqliteDatabase {
  const sqlite = loadSqlite();
  if (sqlite === undefined) {
    throw new SyncError(`the ledger needs node:sqlite: Node.js 22.19 or newer (this is ${process.version})`, { code: 'ERR_SYNC_SQLITE_UNAVAILABLE' });
  }
  return new sqlite.DatabaseSync(path, { timeout: options.timeout, readOnly: options.readOnly ?? false });
}

/** Whether `node:sqlite` can be loaded here (tests skip the ledger on older Node.js). */
export function sqliteAvailable(): boolean {
  return loadSqlite() !== undefined;
}
