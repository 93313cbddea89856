import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { createLockFile, leftOwnerFiles } from '@camdl/internal';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SyncError } from './errors.js';

/** A held camera lock. */
export interface CameraLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  host: string;
  startedMs: number;
}

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<folder>/<camera>.lock`, created whole with the owner's pid and host (a hard link to a file
 * written first, so it never exists empty). A lock whose owner on this host is dead (SIGKILL, a crash)
 * is taken over once; a live owner, or one on another host, makes this throw `ERR_SYNC_CAMERA_BUSY`.
 */
export async function acquireCameraLock(folder: string, camera: string): Promise<CameraLock> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${camera}.lock`);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedMs: Date.now() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await createLockFile(path, `${JSON.stringify(me)}\n`);
      // Owner files of processes killed before they linked a lock.
      for (const left of await leftOwnerFiles(path)) {
        const owner = await readOwner(left);
        const dead = owner === undefined ? ((await lockAgeMs(left)) ?? 0) > 5_000 : owner.host === me.host && !processAlive(owner.pid);
        if (dead) await rm(left, { force: true });
      }
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(path);
    // An unreadable lock: written by an older camdl or on a file system without hard links, whose
    // writer died between create and write (or is writing now).
    if (owner === undefined) {
      const age = await lockAgeMs(path);
      if (age !== undefined && age < 5_000) break;
    } else if (owner.host !== me.host || processAlive(owner.pid)) {
      throw new SyncError(`another camdl sync (pid ${owner.pid} on ${owner.host}, since ${new Date(owner.startedMs).toISOString()}) is working on this camera`, { code: 'ERR_SYNC_CAMERA_BUSY', camera });
    }
    await rm(path, { force: true });
  }
  throw new SyncError('another camdl sync is taking this camera right now', { code: 'ERR_SYNC_CAMERA_BUSY', camera });
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') return { pid: parsed.pid, host: parsed.host, startedMs: Number(parsed.startedMs ?? 0) };
  } catch {
    // Fall through: no usable owner.
  }
  return undefined;
}

async function lockAgeMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
