/** SQLite's primary result code for "database or disk is full" (extended codes keep it in the low byte). */
const SQLITE_FULL = 13;

/**
 * The short reason when `error`, or an error it was caused by, says the file system holding the
 * archive is full: `ENOSPC`, `EDQUOT` (a quota) from a write, or `SQLITE_FULL` from the ledger
 * (`node:sqlite` sets `errcode`); undefined otherwise.
 */
function fullDiskCause(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, errcode, errstr, cause } = current as { code?: unknown; errcode?: unknown; errstr?: unknown; cause?: unknown };
    if (code === 'ENOSPC' || code === 'EDQUOT') return code;
    if (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL) return `the ledger: ${typeof errstr === 'string' ? errstr : 'database or disk is full'}`;
    if (cause === current) return undefined;
    current = cause;
  }
  return undefined;
}

/**
 * True when `error`, or an error it was caused by, says the file system holding the archive is full
 * (`ENOSPC`, `EDQUOT`, `SQLITE_FULL`). Every later write to the same archive would fail the same way.
 */
export function isDiskFull(error: unknown): boolean {
  return fullDiskCause(error) !== undefined;
}

/** The short reason of a full disk: `ENOSPC`, `EDQUOT` or SQLite's "database or disk is full"; else the message. */
export function diskFullReason(error: unknown): string {
  return fullDiskCause(error) ?? (error instanceof Error ? error.message : String(error));
}
