import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isOffsiteError, type OffsiteTarget } from '@camdl/offsite';
import { archivePath, hashFile, writeSha256Sums } from './archive-files.js';
import type { FleetConfig } from './config.js';
import { describeError, SyncError } from './errors.js';
import { CopyLedger } from './ledger-copies.js';
import { Ledger } from './ledger.js';
import { LEDGER_SNAPSHOT_KEY } from './offsite-copies.js';
import { findTarget, openTarget, type TargetTuning } from './open-target.js';

/** A file the restore could not bring back as the ledger recorded it. */
export interface RestoreProblem {
  camera: string;
  path: string;
  detail: string;
}

export type RestoreEvent =
  | { type: 'ledger-from-target'; target: string }
  | { type: 'restored'; camera: string; path: string; size: number; sha256: string }
  | { type: 'problem'; problem: RestoreProblem };

/** Options of {@link restoreFromTarget}. */
export interface RestoreOptions {
  /** The configured target to restore from. */
  target: string;
  /** The folder the files go to, in the archive's layout. */
  out: string;
  /** Only these cameras. @default all in the ledger */
  cameras?: readonly string[] | undefined;
  /** Only recordings that end after this instant (ms). @default no bound */
  fromMs?: number | undefined;
  /** Only recordings that start before this instant (ms). @default no bound */
  toMs?: number | undefined;
  /** Stops between files. @default undefined */
  signal?: AbortSignal | undefined;
  /** Every event, in order. @default no-op */
  onEvent?: (event: RestoreEvent) => void;
  /** Environment for the target's `-env` secrets. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Retries and part size of the target's requests. @default the library's */
  tuning?: TargetTuning;
}

export interface RestoreResult {
  restored: number;
  bytes: number;
  problems: RestoreProblem[];
}

/**
 * `camdl restore`: downloads every copy the ledger holds verified on the target (of some cameras, in a
 * span) into `out` in the archive's layout, each written atomically and re-hashed against the ledger,
 * with a SHA256SUMS per folder. Without a local ledger (a new machine) the target's ledger snapshot is
 * used. Every mismatch is named; nothing that does not match stays under a final name.
 */
export async function restoreFromTarget(config: FleetConfig, options: RestoreOptions): Promise<RestoreResult> {
  const targetConfig = findTarget(config, options.target);
  const signal = options.signal ? { signal: options.signal } : {};
  const target: OffsiteTarget = await openTarget(targetConfig, options.env ?? process.env, options.tuning);
  let ledger: Ledger | undefined;
  let snapshot: string | undefined;
  try {
    await target.check(signal);
    let ledgerPath = config.ledger;
    if (!existsSync(ledgerPath)) {
      // A new machine: the index comes from the target's snapshot.
      await mkdir(options.out, { recursive: true });
      snapshot = join(options.out, `.camdl-ledger-snapshot.${process.pid}.sqlite`);
      await target.get(LEDGER_SNAPSHOT_KEY, snapshot, signal);
      ledgerPath = snapshot;
      options.onEvent?.({ type: 'ledger-from-target', target: targetConfig.name });
    }
    ledger = Ledger.open(ledgerPath, { readOnly: true });
    const copies = new CopyLedger(ledger);
    if (options.cameras !== undefined) {
      // A mistyped name would restore nothing and look like success.
      const known = copies.cameras().map((camera) => camera.name);
      const unknown = options.cameras.filter((name) => !known.includes(name));
      if (unknown.length > 0) {
        throw new SyncError(`no camera named ${unknown.map((name) => JSON.stringify(name)).join(', ')} in the ledger (known: ${known.join(', ') || 'none'})`, { code: 'ERR_SYNC_CONFIG' });
      }
    }
    const filter = { cameras: options.cameras, fromMs: options.fromMs, toMs: options.toMs };
    const result: RestoreResult = { restored: 0, bytes: 0, problems: [] };
    const sums = new Map<string, Array<{ name: string; sha256: string }>>();
    for (const copy of copies.verifiedOn(targetConfig.name, filter)) {
      if (options.signal?.aborted) return result;
      const file = archivePath(options.out, copy.key);
      try {
        // A snapshot read from a target is untrusted: a key never leaves the output folder.
        // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
        if (copy.key.split('/').some((part) => part === '' || part === '.' || part === '..') || /[\\\u0000-\u001f]/.test(copy.key)) {
          throw new SyncError(`not a plain archive path: ${JSON.stringify(copy.key)}`, { code: 'ERR_SYNC_VERIFY_FAILED' });
        }
        await target.get(copy.key, file, { ...signal, expectedSha256: copy.recordingSha256 });
        const written = await hashFile(file, options.signal);
        if (written.sha256 !== copy.recordingSha256 || written.size !== copy.recordingSize) {
          await rm(file, { force: true });
          throw new SyncError(`restored ${written.size} bytes, sha256 ${written.sha256}; the ledger says ${copy.recordingSize} bytes, sha256 ${copy.recordingSha256}`, { code: 'ERR_SYNC_VERIFY_FAILED' });
        }
        result.restored += 1;
        result.bytes += written.size;
        const folder = dirname(copy.key);
        const list = sums.get(folder) ?? [];
        list.push({ name: copy.key.slice(copy.key.lastIndexOf('/') + 1), sha256: written.sha256 });
        sums.set(folder, list);
        options.onEvent?.({ type: 'restored', camera: copy.camera, path: copy.key, size: written.size, sha256: written.sha256 });
      } catch (error) {
        if (options.signal?.aborted) return result;
        if (!isOffsiteError(error, 'ERR_OFFSITE_VERIFY') && !isOffsiteError(error, 'ERR_OFFSITE_NOT_FOUND') && !(error instanceof SyncError)) throw error;
        const problem: RestoreProblem = { camera: copy.camera, path: copy.key, detail: describeError(error) };
        result.problems.push(problem);
        options.onEvent?.({ type: 'problem', problem });
      }
    }
    for (const [folder, entries] of sums) await writeSha256Sums(archivePath(options.out, folder === '.' ? '' : folder), entries);
    return result;
  } finally {
    ledger?.close();
    if (snapshot !== undefined) await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${snapshot}${suffix}`, { force: true })));
    await target.close().catch(() => {});
  }
}
