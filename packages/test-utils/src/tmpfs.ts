import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a small real file system (tmpfs) can be mounted here: needs root and mount rights, as CI has. */
export function canMountTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'camdl-mount-probe-'));
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) return false;
    spawnSync('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(dir);
  }
}

/**
 * Makes the folder `mountPoint` and mounts a tmpfs of `size` (mount's syntax: `1m`) on it, for tests of a
 * full disk. Returns false when it cannot be mounted (needs root); the caller unmounts.
 */
export function mountTmpfs(mountPoint: string, size: string): boolean {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
