import { link, open, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Errors of `link` on a file system without hard links (some FUSE, SMB and FAT mounts). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** The file a lock is linked from: `<lock>.<pid>.new`, next to the lock. */
function ownerFilePath(lock: string, pid = process.pid): string {
  return `${lock}.${pid}.new`;
}

/**
 * Creates the lock file `lock` holding `content`, or rejects with `EEXIST` when it exists. The
 * content goes to a file of this process first and the lock is a hard link to it, so the lock never
 * exists empty: a process killed at any moment leaves no lock, or one that names it. On a file system
 * without hard links it falls back to an exclusive create followed by a write.
 */
export async function createLockFile(lock: string, content: string, mode = 0o644): Promise<void> {
  const ownerFile = ownerFilePath(lock);
  await writeFile(ownerFile, content, { mode });
  try {
    await link(ownerFile, lock);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    const file = await open(lock, 'wx', mode);
    try {
      await file.writeFile(content);
    } finally {
      await file.close();
    }
  } finally {
    await rm(ownerFile, { force: true });
  }
}

/**
 * The owner files other processes left next to `lock` (`<lock>.<pid>.new`): a process killed between
 * writing one and linking the lock leaves it behind. The caller decides, by its own staleness rule on
 * their content, which to remove.
 */
export async function leftOwnerFiles(lock: string): Promise<string[]> {
  const prefix = `${basename(lock)}.`;
  const mine = basename(ownerFilePath(lock));
  const names = await readdir(dirname(lock)).catch(() => [] as string[]);
  return names
    .filter((name) => name !== mine && name.startsWith(prefix) && /^\d+\.new$/.test(name.slice(prefix.length)))
    .map((name) => join(dirname(lock), name));
}
