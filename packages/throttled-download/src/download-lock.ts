import { hostname } from 'node:os';
import { readFile, rm, stat, utimes } from 'node:fs/promises';
import { createLockFile, leftOwnerFiles } from '@camdl/internal';
import { ensureTemporaryDirectory, temporaryPaths } from './part-file.js';

/** What a lock file holds. */
interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/**
 * A lock without a readable owner is stale after this: one written by an older camdl, or on a file
 * system without hard links, whose process died between create and write.
 */
const UNREADABLE_LOCK_STALE_MS = 30_000;
/** The holder touches its lock this often while it downloads... */
const LOCK_REFRESH_MS = 60_000;
/**
 * ...so a lock untouched for this long has no live holder, whatever its pid says: a process on another
 * host (a container with a random host name, an NFS client) or a pid reused since.
 */
const ABANDONED_LOCK_MS = 10 * 60_000;

/** Another process holds the lock of a destination. */
export class DestinationBusyError extends Error {
  override readonly name = 'DestinationBusyError';
  constructor(
    readonly lockPath: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner === undefined
        ? `another camdl process is downloading it (lock ${lockPath})`
        : `another camdl process (pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}) is downloading it since ${owner.started}; ` +
            `if that process is gone, delete ${lockPath}`,
    );
  }
}

/** Whether `pid` runs on this machine (EPERM: it runs under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0 || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, started: typeof parsed.started === 'string' ? parsed.started : '?' };
  } catch {
    return undefined;
  }
}

/** Whether a lock that exists can be taken over: its process is dead (same host) or it was never written. */
async function isStale(path: string, owner: LockOwner | undefined): Promise<boolean> {
  let age: number;
  try {
    age = Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return true;
  }
  if (owner === undefined) return age > UNREADABLE_LOCK_STALE_MS;
  if (age > ABANDONED_LOCK_MS) return true;
  return owner.host === hostname() && owner.pid !== process.pid && !isAlive(owner.pid);
}

/** Removes owner files of processes killed before they linked their lock, stale by the lock's own rule. */
async function removeDeadOwnerFiles(lock: string): Promise<void> {
  for (const path of await leftOwnerFiles(lock)) {
    if (await isStale(path, await readOwner(path))) await rm(path, { force: true });
  }
}

/**
 * Takes the lock of `destination` (exclusive create of `.camdl-tmp/<name>.lock` with this process's
 * pid and host): two processes never write one `.part`. A lock left by a dead process on this host, or
 * not refreshed for 10 minutes (the holder touches it every minute), is taken over. Throws {@link DestinationBusyError} while another live process holds it. Resolves to the
 * release function.
 */
export async function lockDestination(destination: string): Promise<() => Promise<void>> {
  const { lock } = temporaryPaths(destination);
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt += 1) {
    await ensureTemporaryDirectory(destination);
    try {
      await createLockFile(lock, `${JSON.stringify(owner)}\n`);
      await removeDeadOwnerFiles(lock);
      // Proof of life for other hosts, which cannot see our pid.
      const refresh = setInterval(() => {
        const now = new Date();
        void utimes(lock, now, now).catch(() => {});
      }, LOCK_REFRESH_MS);
      refresh.unref();
      return async () => {
        clearInterval(refresh);
        // Only our own lock: never remove one another process took over.
        const current = await readOwner(lock);
        if (current?.pid === owner.pid && current.started === owner.started) await rm(lock, { force: true });
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOENT: another process removed the empty temporary directory in between; create it again.
      if (code === 'ENOENT' && attempt < 5) continue;
      if (code !== 'EEXIST') throw error;
    }
    const holder = await readOwner(lock);
    if (attempt < 5 && (await isStale(lock, holder))) {
      // Re-read just before removing: never remove a lock another process took over meanwhile.
      const again = await readOwner(lock);
      if (again?.pid === holder?.pid && again?.started === holder?.started) await rm(lock, { force: true });
      continue;
    }
    throw new DestinationBusyError(lock, holder);
  }
}
