import { mkdirSync, statSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FleetConfig } from './config.js';
import { SyncError } from './errors.js';

/**
 * Creates `folder` and its missing parents one level at a time, then proves a file can be created in
 * it. Not Node's recursive `mkdir`: where a parent exists but refuses new entries with ENOENT (`/proc`,
 * some FUSE mounts) it retries forever in one synchronous loop that no signal can stop.
 */
export async function ensureWritableFolder(folder: string): Promise<void> {
  const missing: string[] = [];
  let current = folder;
  for (;;) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${current} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing) {
    await mkdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  const probe = join(folder, `.camdl-write-check-${process.pid}`);
  const handle = await open(probe, 'wx');
  await handle.close();
  await rm(probe, { force: true });
}

/**
 * Creates `folder` and its missing parents one level at a time, synchronously; throws the first
 * error (ENOENT where a parent refuses children, EACCES…) instead of looping like a recursive `mkdirSync`.
 */
export function makeFolderSync(folder: string): void {
  const missing: string[] = [];
  for (let current = folder; ; current = dirname(current)) {
    if (statSync(current, { throwIfNoEntry: false }) !== undefined) break;
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** `EACCES: permission denied` → `permission denied (EACCES)`: the reason without the path repeated. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '') : String(error);
  return code ? `${message} (${code})` : message;
}

/**
 * Checks, before a run opens the ledger or fetches anything, that the archive and the ledger's folder
 * exist (made if missing) and can be written. The error names the config key to change.
 */
export async function checkArchiveWritable(config: Pick<FleetConfig, 'file' | 'archive' | 'ledger'>): Promise<void> {
  const folders: Array<[key: string, folder: string]> = [
    ['archive', config.archive],
    [dirname(config.ledger) === join(config.archive, '.camdl') ? 'archive' : 'ledger', dirname(config.ledger)],
  ];
  for (const [key, folder] of folders) {
    try {
      await ensureWritableFolder(folder);
    } catch (error) {
      const what = folder === config.archive || key === 'ledger' ? folder : `${folder} (camdl's folder inside it)`;
      throw new SyncError(`${config.file}: ${key}: ${key === 'archive' ? config.archive : config.ledger}: cannot write to ${what}: ${reason(error)}; choose a folder this user can write, or fix its permissions`, {
        code: 'ERR_SYNC_CONFIG',
        file: config.file,
        cause: error,
      });
    }
  }
}

/**
 * Checks that a camera's files can be written where the layout puts them (its top folder in the
 * archive) before the first download, so an unwritable folder fails the camera once, not every file.
 */
export async function checkCameraFolderWritable(config: Pick<FleetConfig, 'file' | 'archive'>, firstPath: string): Promise<void> {
  const top = firstPath.split('/')[0] ?? '';
  const folder = top === '' || top === firstPath ? config.archive : join(config.archive, top);
  try {
    await ensureWritableFolder(folder);
  } catch (error) {
    throw new SyncError(`archive: ${config.archive}: cannot write to ${folder}: ${reason(error)}; fix its permissions (the files stay to fetch)`, { code: 'ERR_SYNC_CONFIG', file: config.file, cause: error });
  }
}
