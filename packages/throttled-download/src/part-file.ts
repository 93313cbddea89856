import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What is needed to prove that a `.part` still belongs to the server's file. Never the URL. */
export interface PartState {
  version: 1;
  etag?: string;
  lastModified?: string;
  total?: number;
}

export function partPath(destination: string): string {
  return `${destination}.part`;
}

export function sidecarPath(destination: string): string {
  return `${destination}.part.json`;
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
    const parsed = JSON.parse(await readFile(sidecarPath(destination), 'utf8')) as Partial<PartState>;
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
  await writeFile(sidecarPath(destination), `${JSON.stringify(state)}\n`);
}

export async function removePart(destination: string): Promise<void> {
  await Promise.all([rm(partPath(destination), { force: true }), rm(sidecarPath(destination), { force: true })]);
}

/** rename `.part` → destination, then fsync the directory (best effort: not every fs allows it). */
export async function commitPart(destination: string, fsync: boolean): Promise<void> {
  await rename(partPath(destination), destination);
  await rm(sidecarPath(destination), { force: true });
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
