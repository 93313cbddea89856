import { statfs } from 'node:fs/promises';

/** The archive disk's free bytes (as camdl's user may use them) and size; undefined when it cannot be measured. */
export async function measureDiskQuietly(path: string): Promise<{ freeBytes: number; totalBytes: number } | undefined> {
  try {
    const info = await statfs(path);
    return { freeBytes: info.bavail * info.bsize, totalBytes: info.blocks * info.bsize };
  } catch {
    return undefined;
  }
}
