import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/** sha256 of a file, streamed (constant memory whatever its size). */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** fsync of a folder, best effort (some file systems refuse it). */
export async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. some network file systems): the rename is still atomic.
  }
}

/** Moves a complete, fsynced file to its final name (same file system) and fsyncs both folders. */
export async function moveIntoPlace(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
  await syncFolder(dirname(to));
  if (dirname(from) !== dirname(to)) await syncFolder(dirname(from));
}

/** The absolute path of an archive-relative `/`-separated path. */
export function archivePath(archive: string, relative: string): string {
  return join(archive, ...relative.split('/'));
}

/**
 * Writes `<folder>/SHA256SUMS` in the format `sha256sum -c` reads (`<hex>  <name>`), atomically
 * (temporary file, fsync, rename). An empty list removes the file.
 */
export async function writeSha256Sums(folder: string, entries: ReadonlyArray<{ name: string; sha256: string }>): Promise<void> {
  const target = join(folder, 'SHA256SUMS');
  if (entries.length === 0) {
    await rm(target, { force: true });
    return;
  }
  const lines = [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => `${entry.sha256}  ${sumsName(entry.name)}\n`)
    .join('');
  const temporary = join(folder, `.SHA256SUMS.${process.pid}.tmp`);
  const handle = await open(temporary, 'w', 0o644);
  try {
    await handle.writeFile(lines);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, target);
  await syncFolder(folder);
}

/** GNU sha256sum's escaping: a name with `\` or a newline gets a leading `\` and escapes. */
function sumsName(name: string): string {
  const plain = basename(name.split(sep).join('/'));
  return /[\\\n\r]/.test(plain) ? `\\${plain.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}` : plain;
}
