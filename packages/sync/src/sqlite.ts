import { SyncError } from './errors.js';

/** The part of `node:sqlite` the ledger uses (typed here: the workspace's @types/node predates it). */
export interface SqliteStatement {
  run(...params: SqliteValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqliteValue[]): Record<string, SqliteValue> | undefined;
  all(...params: SqliteValue[]): Array<Record<string, SqliteValue>>;
  iterate?(...params: SqliteValue[]): IterableIterator<Record<string, SqliteValue>>;
}

export type SqliteValue = string | number | bigint | null | Uint8Array;

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

interface SqliteModule {
  DatabaseSync: new (path: string, options?: { timeout?: number }) => SqliteDatabase;
}

/**
 * Opens a database with the built-in `node:sqlite` (Node.js ≥ 22.19). Loaded on demand through
 * `process.getBuiltinModule`, so that a bin shim can filter the ExperimentalWarning first.
 */
export function openSqlite(path: string, options: { timeout: number }): SqliteDatabase {
  let sqlite: SqliteModule | undefined;
  try {
    sqlite = process.getBuiltinModule('node:sqlite') as SqliteModule | undefined;
  } catch {
    sqlite = undefined;
  }
  if (sqlite === undefined) {
    throw new SyncError(`the ledger needs node:sqlite: Node.js 22.19 or newer (this is ${process.version})`, { code: 'ERR_SYNC_SQLITE_UNAVAILABLE' });
  }
  return new sqlite.DatabaseSync(path, { timeout: options.timeout });
}

/** Whether `node:sqlite` can be loaded here (tests skip the ledger on older Node.js). */
export function sqliteAvailable(): boolean {
  try {
    return typeof process.getBuiltinModule === 'function' && process.getBuiltinModule('node:sqlite') !== undefined;
  } catch {
    return false;
  }
}
