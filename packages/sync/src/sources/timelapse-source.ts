import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveNameTime, isPlausibleTimeMs } from '@camdl/internal';
import { assignLocalNames, createTimelapseClient, verifyArchiveFile, type TimelapseApi, type TimelapseArchive } from '@camdl/axis-timelapse2';
import type { CameraConfig } from '../config.js';
import { SyncError } from '../errors.js';
import { wallClockIn } from '../layout.js';
import { addOutside, type CameraListing, type CameraSource, type OutsideWindow, type RemoteRecording } from './camera-source.js';

/** The name's archive time, `..._2025_09_30_0000.avi` → ms (in `timeZone`), when `first` is missing. */
function timeFromName(filename: string, timeZone: string): number | undefined {
  const time = archiveNameTime(filename, timeZone);
  return time !== undefined && isPlausibleTimeMs(time) ? time : undefined;
}

/** A month of retention as the horizon counts it: the Gregorian calendar's average month. */
const AVERAGE_MONTH_MS = 30.436_875 * 86_400_000;

/** A Timelapse2 1.x / 3.x / TimelapseMe camera: one request at a time. */
export async function createTimelapseSource(camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void): Promise<CameraSource> {
  const timeZone = camera.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const ca = camera.caFile === undefined ? undefined : await readFile(camera.caFile);
  const client = createTimelapseClient({
    baseUrl: camera.url,
    username: camera.username,
    password,
    insecure: camera.insecure,
    ...(ca ? { ca } : {}),
    timeout: camera.timeoutMs,
    maxRetries: camera.maxRetries,
    onWarning,
  });
  const archives = new Map<string, TimelapseArchive>();
  let api: TimelapseApi | undefined;
  let retentionMonths: number | undefined;
  return {
    connections: 1,
    async list(window, signal): Promise<CameraListing> {
      const listing = await client.listArchives({ signal });
      api = listing.api;
      retentionMonths = listing.retentionMonths;
      archives.clear();
      const recordings: RemoteRecording[] = [];
      let outsideWindow: OutsideWindow | undefined;
      const notes = [`${listing.api}${listing.version ? ` ${listing.version}` : ''}: ${listing.archives.length} archives listed`];
      for (const archive of listing.archives) {
        const startMs = archive.first ?? timeFromName(archive.filename, timeZone);
        if (startMs === undefined) {
          notes.push(`${JSON.stringify(archive.filename)}: no first frame time and no date in its name: skipped`);
          continue;
        }
        const endMs = Math.max(startMs, archive.last ?? startMs);
        if ((window.startMs !== undefined && endMs < window.startMs) || startMs >= window.endMs) {
          outsideWindow = addOutside(outsideWindow, startMs, endMs);
          continue;
        }
        const remoteKey = listing.api === 'timelapseme' ? `${archive.id}/${archive.filename}` : archive.filename;
        archives.set(remoteKey, archive);
        recordings.push({
          channel: 0,
          remoteKey,
          remoteName: archive.filename,
          // The library's safe name for this archive alone; the ledger resolves clashes in a folder.
          fileName: [...assignLocalNames([archive]).values()][0] ?? 'download.bin',
          startMs,
          endMs,
          cameraStart: wallClockIn(startMs, timeZone),
          // 1.x lists the JPEG payload only; TimelapseMe lists no reliable size.
          size: listing.api === 'timelapse3' ? archive.size : undefined,
        });
      }
      return { recordings, coverage: new Map([[0, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }]]), notes, outsideWindow };
    },
    // The app deletes archives older than its retention (`GET app`'s settings, read with the listing).
    storage: async () => (retentionMonths === undefined ? undefined : { retentionMs: retentionMonths * AVERAGE_MONTH_MS }),
    async download(recording, folder, options) {
      const archive = archives.get(recording.remoteKey);
      if (!archive) throw new SyncError(`${recording.remoteName} is not in the camera's current listing`, { code: 'ERR_SYNC_NOT_LISTED', camera: camera.name });
      await mkdir(folder, { recursive: true });
      const path = join(folder, recording.fileName);
      const result = await client.downloadArchive(archive, path, {
        rateLimiter: options.rateLimiter,
        signal: options.signal,
        existing: 'skip',
        resume: true,
        maxRetries: camera.maxRetries,
        sha256: true,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
      return { path, result };
    },
    async checkFile(recording, path) {
      const archive = archives.get(recording.remoteKey);
      if (!archive || api === undefined) return { ok: false, reason: `${recording.remoteName} is not in the camera's current listing` };
      // The legacy TimelapseMe app cannot delete, lists no reliable size and its export format is not
      // documented: a file that is an AVI or MP4 by its own header is checked whole; anything else has
      // nothing to check (and nothing on the camera is ever deleted on this evidence).
      if (api === 'timelapseme') {
        const container = await sniffContainer(path);
        if (container === undefined) return { ok: true, whole: false };
        const check = await verifyArchiveFile(path, { filename: archive.filename, size: undefined, raw: { container } }, api);
        return check.ok ? { ok: true, whole: true } : check;
      }
      // The same check as timelapse2-dl --delete-after: the size the camera lists and a whole AVI/MP4.
      const check = await verifyArchiveFile(path, archive, api);
      return check.ok ? { ok: true, whole: true } : check;
    },
    async delete(recording, signal) {
      const archive = archives.get(recording.remoteKey);
      if (!archive) throw new SyncError(`${recording.remoteName} is not in the camera's current listing`, { code: 'ERR_SYNC_NOT_LISTED', camera: camera.name });
      if (api === 'timelapseme') throw new SyncError('the legacy TimelapseMe app cannot delete archives', { code: 'ERR_SYNC_UNSUPPORTED', camera: camera.name });
      await client.deleteArchive(archive, { signal });
    },
    close: () => client.close(),
  };
}

/** `avi` (`RIFF…AVI `) or `mp4` (an `ftyp` box first) by the file's own first bytes, else undefined. */
async function sniffContainer(path: string): Promise<'avi' | 'mp4' | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await file.read(head, 0, 12, 0);
    if (bytesRead < 12) return undefined;
    if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ') return 'avi';
    if (head.toString('latin1', 4, 8) === 'ftyp') return 'mp4';
    return undefined;
  } finally {
    await file.close();
  }
}
