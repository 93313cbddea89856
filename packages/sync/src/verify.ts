import { stat } from 'node:fs/promises';
import { archivePath, hashFile } from './archive-files.js';
import { selectCameras, type FleetConfig } from './config.js';
import { Ledger, type LedgerRecording } from './ledger.js';

/** A file that does not match the ledger. */
export interface VerifyProblem {
  camera: string;
  /** Archive-relative path. */
  path: string;
  problem: 'missing' | 'changed';
  detail: string;
}

export type VerifyEvent = { type: 'checked'; camera: string; path: string; ok: boolean } | { type: 'problem'; problem: VerifyProblem };

export interface VerifyOptions {
  /** Only these cameras. @default all */
  cameras?: readonly string[];
  /** Stops the check between files (what was checked so far is returned). @default undefined */
  signal?: AbortSignal;
  /** Called with every event of the check, in order. @default no-op */
  onEvent?: (event: VerifyEvent) => void;
}

/** Rows read from the ledger at a time. */
const PAGE = 256;

/** Archived rows by id, a page at a time: no read stays open while files are hashed. */
function* archivedRows(ledger: Ledger, cameras: readonly string[]): Generator<LedgerRecording> {
  for (let page = ledger.archivedPage(cameras, 0, PAGE); page.length > 0; page = ledger.archivedPage(cameras, page[page.length - 1]!.id, PAGE)) yield* page;
}

export interface VerifyResult {
  checked: number;
  problems: VerifyProblem[];
}

/**
 * `camdl verify`: re-hashes every archived file against the ledger and names each missing or changed
 * one. The ledger then says no more than the disk: a damaged recording goes back to `listed` (the next
 * sync fetches it again while the camera has it) or, once deleted on the camera, to `lost`.
 */
export async function verifyArchive(config: FleetConfig, options: VerifyOptions = {}): Promise<VerifyResult> {
  const names = selectCameras(config, options.cameras).map((camera) => camera.name);
  const ledger = Ledger.open(config.ledger, { existingOnly: true });
  try {
    const problems: VerifyProblem[] = [];
    let checked = 0;
    for (const row of archivedRows(ledger, names)) {
      if (options.signal?.aborted) break;
      const path = row.localPath ?? '';
      const absolute = archivePath(config.archive, path);
      let problem: VerifyProblem | undefined;
      try {
        const info = await stat(absolute);
        if (!info.isFile()) problem = { camera: row.camera, path, problem: 'missing', detail: 'not a regular file' };
        else if (info.size !== row.localSize) problem = { camera: row.camera, path, problem: 'changed', detail: `size ${info.size}, the ledger says ${row.localSize}` };
        else {
          const { sha256 } = await hashFile(absolute, options.signal);
          if (sha256 !== row.sha256) problem = { camera: row.camera, path, problem: 'changed', detail: `sha256 ${sha256}, the ledger says ${row.sha256}` };
        }
      } catch (error) {
        if (options.signal?.aborted) break;
        const code = (error as NodeJS.ErrnoException).code;
        problem = { camera: row.camera, path, problem: 'missing', detail: code === 'ENOENT' ? 'no such file' : String(code ?? error) };
      }
      checked += 1;
      if (problem) {
        problems.push(problem);
        ledger.markDamaged(row.id, `verify: ${problem.problem}: ${problem.detail}`);
        options.onEvent?.({ type: 'problem', problem });
      } else {
        options.onEvent?.({ type: 'checked', camera: row.camera, path, ok: true });
      }
    }
    return { checked, problems };
  } finally {
    ledger.close();
  }
}
