import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The hidden directory, next to the destination, that holds a download's temporary files. Names that
 * come from a camera can never reach it: safe file names never start with a dot (see
 * `toSafeFileName` in `@camdl/axis-timelapse2`), and nothing in it is ever taken for a final file, so
 * an archive called `a.mp4.part` next to `a.mp4` is just another archive.
 */
export const TEMPORARY_DIRECTORY_NAME = '.camdl-tmp';

/** What is needed to prove that a `.part` still belongs to the server's file. Never the URL. */
export interface PartState {
  version: 1;
  etag?: string;
  lastModified?: string;
  total?: number;
}

/** Where the engine keeps the temporary files of `destination`. */
export interface TemporaryPaths {
  /** `<dir>/.camdl-tmp` */
  directory: string;
  /** `<dir>/.camdl-tmp/<name>.part`: the bytes received so far (`<name>`: see {@link temporaryName}). */
  part: string;
  /** `<dir>/.camdl-tmp/<name>.part.json`: the validators that make the `.part` resumable. */
  state: string;
  /** `<dir>/.camdl-tmp/<name>.lock`: held (pid inside) while a process downloads `<name>`. */
  lock: string;
}

/** The longest name most file systems take, in bytes. */
const MAX_FILE_NAME_BYTES = 255;
/**
 * Room for the longest suffix a temporary name gets: `.lock.<pid>.new` (the lock's owner file, see
 * `createLockFile`), with a pid of up to 10 digits, and some to spare.
 */
const SUFFIX_ROOM_BYTES = 24;
/** A shortened name: its first bytes, `~`, and 16 hex digits of the SHA-256 of the whole name. */
const HASH_TAIL_BYTES = 1 + 16;

/**
 * The name the temporary files of `name` are based on: `name` itself when every suffix still fits in
 * 255 bytes, else its first bytes and a hash of all of it (a final name at the file system's limit
 * must still have a `.part` and a lock). Distinct names keep distinct temporary names.
 */
export function temporaryName(name: string): string {
  if (Buffer.byteLength(name, 'utf8') + SUFFIX_ROOM_BYTES <= MAX_FILE_NAME_BYTES) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16);
  const budget = MAX_FILE_NAME_BYTES - SUFFIX_ROOM_BYTES - HASH_TAIL_BYTES;
  let kept = '';
  let bytes = 0;
  for (const char of name) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    kept += char;
  }
  return `${kept}~${hash}`;
}

/** The temporary files of `destination` (distinct suffixes: no name's file is another name's). */
export function temporaryPaths(destination: string): TemporaryPaths {
  const directory = join(dirname(destination), TEMPORARY_DIRECTORY_NAME);
  const name = temporaryName(basename(destination));
  return {
    directory,
    part: join(directory, `${name}.part`),
    state: join(directory, `${name}.part.json`),
    lock: join(directory, `${name}.lock`),
  };
}

export function partPath(destination: string): string {
  return temporaryPaths(destination).part;
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

export async function readPartState(destination: string): Promise<PartState | undefined> {
  try {
    const parsed = JSON.parse(await readFile(temporaryPaths(destination).state, 'utf8')) as Partial<PartState>;
    if (parsed.version !== 1) return undefined;
    return {
      version: 1,
      ...(typeof parsed.etag === 'string' ? { etag: parsed.etag } : {}),
      ...(typeof parsed.lastModified === 'string' ? { lastModified: parsed.lastModified } : {}),
      ...(typeof parsed.total === 'number' ? { total: parsed.total } : {}),
    };
  } catch {
    return undefined;
  }
}

export async function writePartState(destination: string, state: PartState): Promise<void> {
  await writeFile(temporaryPaths(destination).state, `${JSON.stringify(state)}\n`);
}

export async function removePart(destination: string): Promise<void> {
  const paths = temporaryPaths(destination);
  await Promise.all([rm(paths.part, { force: true }), rm(paths.state, { force: true })]);
}

/** {@link removePart} on a failure path: the original error matters more than this one. */
export async function removePartQuietly(destination: string): Promise<void> {
  await removePart(destination).catch(() => {});
}

/** Creates the temporary directory when missing (not the destination's directory: a missing one is an error). */
export async function ensureTemporaryDirectory(destination: string): Promise<void> {
  try {
    await mkdir(temporaryPaths(destination).directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Removes the temporary directory when nothing is left in it (another process may still use it). */
export async function removeTemporaryDirectoryIfEmpty(destination: string): Promise<void> {
  await rmdir(temporaryPaths(destination).directory).catch(() => {});
}

/** rename `.part` → destination, then fsync the directory (best effort: not every fs allows it). */
export async function commitPart(destination: string, fsync: boolean): Promise<void> {
  const paths = temporaryPaths(destination);
  await rename(paths.part, destination);
  await rm(paths.state, { force: true });
  if (!fsync) return;
  try {
    const dir = await open(dirname(destination), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Directories cannot be fsynced on some platforms/filesystems; the rename is still atomic.
  }
}
