import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';

/** Read buffers of finished hashes, reused: hashing allocates nothing per read nor per file. */
const spareHashBuffers: Buffer[] = [];
const HASH_READ_BYTES = 1024 * 1024;

/** sha256 of a file, read into one reused 1 MiB buffer (constant memory whatever its size). */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  signal?.throwIfAborted();
  const hash = createHash('sha256');
  const buffer = spareHashBuffers.pop() ?? Buffer.allocUnsafe(HASH_READ_BYTES);
  const handle = await open(path, 'r');
  let size = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
    if (spareHashBuffers.length < 4) spareHashBuffers.push(buffer);
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

/** The checksum list camdl keeps in every archive folder. */
export const SUMS_FILE_NAME = 'SHA256SUMS';

/**
 * Whether a file name in an archive folder is, or may become, one of camdl's own files there: the
 * checksum list (in any case: one file on a case-insensitive file system) and every hidden name
 * (its temporary `.SHA256SUMS.<pid>.tmp`, `.camdl`, `.camdl-tmp`). No recording may have such a name.
 */
export function isCamdlFileName(name: string): boolean {
  return name.startsWith('.') || name.normalize('NFC').toLowerCase() === SUMS_FILE_NAME.toLowerCase();
}

/**
 * Writes `<folder>/SHA256SUMS` in the format `sha256sum -c` reads (`<hex>  <name>`), atomically
 * (temporary file, fsync, rename). An empty list removes the file.
 */
export async function writeSha256Sums(folder: string, entries: ReadonlyArray<{ name: string; sha256: string }>): Promise<void> {
  const target = join(folder, SUMS_FILE_NAME);
  if (entries.length === 0) {
    await rm(target, { force: true });
    return;
  }
  const lines = sha256SumsText(entries);
  const temporary = join(folder, `.${SUMS_FILE_NAME}.${process.pid}.tmp`);
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

/** The text of a `SHA256SUMS` file (`<hex>  <name>` lines, sorted by name), as `sha256sum -c` reads it. */
export function sha256SumsText(entries: ReadonlyArray<{ name: string; sha256: string }>): string {
  return [...entries]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => sha256SumsLine(entry.name, entry.sha256))
    .join('');
}

/** One line of a `SHA256SUMS` file. */
export function sha256SumsLine(name: string, sha256: string): string {
  return `${sha256}  ${sumsName(name)}\n`;
}

/** GNU sha256sum's escaping: a name with `\` or a newline gets a leading `\` and escapes. */
function sumsName(name: string): string {
  const plain = basename(name.split(sep).join('/'));
  return /[\\\n\r]/.test(plain) ? `\\${plain.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}` : plain;
}
