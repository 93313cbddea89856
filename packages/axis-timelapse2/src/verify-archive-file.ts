import { stat } from 'node:fs/promises';
import { checkContainerFile } from '@camdl/internal';
import type { TimelapseApi } from './api.js';
import type { TimelapseArchive } from './archive.js';

/** Whether a local file is the archive, and why not. */
export type ArchiveFileCheck = { ok: true } | { ok: false; reason: string };

/**
 * Types a camera answers with when it is not sending a video: error and login pages, API answers.
 * Such an answer is never saved as an archive.
 */
export function isArchiveContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return !(type.startsWith('text/') || type.endsWith('/html') || type.endsWith('+xml') || type.endsWith('/xml') || type.endsWith('/json') || type.endsWith('+json'));
}

/**
 * The exact size of a Timelapse2 1.x archive file from its listing: the app lists only the JPEG
 * payload (`size`, padding included) and the frame count; the file adds its 240-byte AVI header,
 * 8 bytes (`00db` + length) a frame in `movi` and the appended `idx1` index (8 + 16 bytes a frame):
 * `size + 24 × frames + 248` (pandosme/Timelapse2 recordings.c `write_avi_header`,
 * `write_avi_frame`, `avi_add_index_entry`, `Recordings_Archive`). Undefined without both numbers.
 */
export function timelapse2V1FileSize(archive: Pick<TimelapseArchive, 'size' | 'frames'>): number | undefined {
  const { size, frames } = archive;
  if (size === undefined || frames === undefined || !Number.isSafeInteger(size) || !Number.isSafeInteger(frames)) return undefined;
  return size + 24 * frames + 248;
}

/**
 * Positive evidence that the file at `path` is the whole archive, required before deleting it on the
 * camera:
 * - Timelapse 3.x lists the real file size: the local size must equal it;
 * - Timelapse2 1.x lists only the JPEG payload: the local size must be at least that;
 * - the file must be the container its name says, whole: an AVI (`RIFF…AVI `) whose RIFF size fits
 *   in the file, or an MP4 (ISO-BMFF) whose top-level boxes end exactly at the end of the file.
 */
export async function verifyArchiveFile(
  path: string,
  archive: Pick<TimelapseArchive, 'filename' | 'size' | 'raw'> & { frames?: number | undefined },
  api: TimelapseApi,
): Promise<ArchiveFileCheck> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    return { ok: false, reason: `cannot read the local file (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (api === 'timelapse3') {
    if (archive.size === undefined) return { ok: false, reason: 'the camera listed no size to compare with' };
    if (size !== archive.size) return { ok: false, reason: `the local file has ${size} bytes, the camera lists ${archive.size}` };
  } else if (archive.size !== undefined && size < archive.size) {
    return { ok: false, reason: `the local file has ${size} bytes, less than the ${archive.size} bytes of images the camera lists` };
  }
  const container = containerOf(archive, api);
  if (container !== 'avi' && container !== 'mp4') return { ok: false, reason: `cannot check a ${container} file` };
  // 1.0–1.1.2 leave the live recording's RIFF size in the archive, which counts the `movi` list
  // header twice: 16 bytes past the end of a whole file (1.1.3 patches it). Only a file of the
  // exact 1.x layout size may have it.
  const exactV1 = api === 'timelapse2-v1' && size === timelapse2V1FileSize({ size: archive.size, frames: archive.frames ?? framesOf(archive.raw) });
  const check = await checkContainerFile(path, container, { riffOvercount: exactV1 ? 16 : 0 });
  return check.ok ? { ok: true } : check;
}

/** What the file must be: 3.x says (`container`, MP4 by default), 1.x and TimelapseMe write AVI. */
function containerOf(archive: Pick<TimelapseArchive, 'filename' | 'raw'>, api: TimelapseApi): string {
  const listed = archive.raw['container'];
  if (typeof listed === 'string' && listed.trim() !== '') {
    const value = listed.trim().toLowerCase();
    return value === 'mov' || value === 'm4v' ? 'mp4' : value;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(archive.filename)?.[1]?.toLowerCase();
  if (extension === 'avi') return 'avi';
  if (extension === 'mp4' || extension === 'mov' || extension === 'm4v') return 'mp4';
  return api === 'timelapse3' ? 'mp4' : 'avi';
}

function framesOf(raw: Record<string, unknown>): number | undefined {
  const value = raw['frames'];
  return typeof value === 'number' ? value : undefined;
}
