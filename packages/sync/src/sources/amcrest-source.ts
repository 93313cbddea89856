import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAmcrestClient, downloadRecordings, findRecordings, getChannelCount, getStorageInfo, type AmcrestClient, type Recording } from '@camdl/amcrest-recordings';
import type { CameraConfig } from '../config.js';
import { SyncError } from '../errors.js';
import { OUTSIDE_PROBE_LIMIT, probeOutside, probeSpan, type CameraListing, type CameraSource, type RemoteRecording } from './camera-source.js';

function toIsoWallClock(wallClock: string): string {
  return wallClock.replace(' ', 'T');
}

/**
 * The channels of `channels: all`: 1..N, N as the device answers it (`getChannelCount` of
 * `@camdl/amcrest-recordings`: a recorder's IP channels or a camera's inputs). A device that does not
 * say fails the camera with `ERR_AMCREST_NO_CHANNEL_COUNT` (name the channels in the config then):
 * guessing channel 1 would archive one channel of an NVR and call the camera done.
 */
async function allChannels(client: AmcrestClient, signal: AbortSignal): Promise<number[]> {
  const count = await getChannelCount(client, { signal });
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Every channel's recordings found by `find`, as spans. */
async function* spansOf(channels: readonly number[], find: (channel: number) => Promise<{ recordings: readonly Recording[] }>): AsyncIterable<{ startMs: number; endMs: number }> {
  for (const channel of channels) {
    for (const recording of (await find(channel)).recordings) yield { startMs: recording.start.getTime(), endMs: recording.end.getTime() };
  }
}

/** An Amcrest (Dahua API) camera or NVR: at most `connections` downloads at once. */
export async function createAmcrestSource(camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void): Promise<CameraSource> {
  const tls = camera.url.protocol === 'https:';
  const ca = tls && camera.caFile !== undefined ? await readFile(camera.caFile) : undefined;
  // The client builds its own dispatcher (and, for https, its TLS settings) from `ca` and `insecure`.
  const client = createAmcrestClient({
    url: camera.url,
    username: camera.username ?? 'admin',
    password: password ?? '',
    connections: camera.connections + 1,
    timeout: camera.timeoutMs,
    ...(ca ? { ca } : {}),
    ...(camera.insecure ? { insecure: true } : {}),
  });
  const byKey = new Map<string, Recording>();
  return {
    connections: camera.connections,
    async list(window, signal): Promise<CameraListing> {
      byKey.clear();
      const channels = camera.channels === 'all' ? await allChannels(client, signal) : camera.channels;
      const recordings: RemoteRecording[] = [];
      const coverage = new Map<number, { startMs: number; endMs: number }>();
      const notes: string[] = [];
      const since = camera.since;
      for (const channel of channels) {
        const start: string | Date =
          since === undefined
            ? new Date(window.startMs ?? 0)
            : since.kind === 'wall-clock'
              ? toIsoWallClock(since.wallClock)
              : new Date(window.startMs ?? 0);
        const until = camera.until;
        const end: string | Date = until?.kind === 'wall-clock' ? toIsoWallClock(until.wallClock) : new Date(window.endMs);
        const found = await findRecordings(client, {
          start,
          end,
          channel,
          signal,
          onWarning,
          ...(camera.timeZone ? { cameraTimeZone: camera.timeZone } : {}),
          ...(camera.types ? { types: camera.types } : {}),
        });
        coverage.set(channel, { startMs: found.range.start.getTime(), endMs: found.range.end.getTime() });
        notes.push(`channel ${channel}: ${found.recordings.length} recordings from ${found.window.start} to ${found.window.end} (camera time)`);
        for (const recording of found.recordings) {
          const remoteKey = recording.filePath;
          byKey.set(`${channel}\u0000${remoteKey}`, recording);
          recordings.push({
            channel,
            remoteKey,
            remoteName: recording.filePath,
            fileName: recording.fileName,
            startMs: recording.start.getTime(),
            endMs: recording.end.getTime(),
            cameraStart: recording.startTime,
            size: recording.size,
          });
        }
      }
      // Nothing in the window: what the card holds from 2000 to ten years ahead (a wrong clock must not look like an empty card).
      const outsideWindow = recordings.length === 0 ? await probeOutside(spansOf(channels, (channel) => findRecordings(client, { ...probeSpan(), channel, maxItems: OUTSIDE_PROBE_LIMIT, signal, ...(camera.timeZone ? { cameraTimeZone: camera.timeZone } : {}), ...(camera.types ? { types: camera.types } : {}) })), signal) : undefined;
      return { recordings, coverage, notes, outsideWindow };
    },
    async storage(signal) {
      const info = await getStorageInfo(client, { signal, onWarning });
      return info === undefined ? undefined : { totalBytes: info.totalBytes, usedBytes: info.usedBytes };
    },
    async download(remote, folder, options) {
      const recording = byKey.get(`${remote.channel}\u0000${remote.remoteKey}`);
      if (!recording) throw new SyncError(`${remote.remoteName} is not in the camera's current listing`, { code: 'ERR_SYNC_NOT_LISTED', camera: camera.name });
      const [outcome] = await downloadRecordings(client, [recording], {
        directory: folder,
        maxConcurrent: 1,
        rateLimiter: options.rateLimiter,
        maxRetries: camera.maxRetries,
        timeout: camera.timeoutMs,
        signal: options.signal,
        sha256: true,
        onEvent: (event) => {
          if (event.type === 'progress') options.onProgress?.(event.progress);
          else if (event.type === 'retry') options.onEvent?.({ type: 'retry', attempt: event.attempt, delayMs: event.delayMs, error: event.error });
          else if (event.type === 'resume') options.onEvent?.({ type: 'resume', from: event.from });
          else if (event.type === 'restart') options.onEvent?.({ type: 'restart', reason: event.reason });
        },
      });
      if (!outcome || outcome.status === 'failed' || outcome.status === 'not-started' || !outcome.result) {
        throw outcome?.error ?? new SyncError(`${remote.remoteName}: not downloaded`, { code: 'ERR_SYNC_DOWNLOAD', camera: camera.name });
      }
      return { path: join(folder, recording.fileName), result: outcome.result };
    },
    async close() {
      await client.close();
    },
  };
}
