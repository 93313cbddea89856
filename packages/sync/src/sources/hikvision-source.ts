import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createHikvisionClient, instantOfWallClock, recordingFileName, searchRecordings, type ClockModel, type HikvisionRecording, type RecordingDownloadResult } from '@camdl/hikvision-isapi';
import { checkContainerFile } from '@camdl/internal';
import type { CameraConfig, TimeBound } from '../config.js';
import { probeOutside, probeSpan, type CameraListing, type CameraSource, type RemoteRecording } from './camera-source.js';
import { clientOptions, transferOptions } from './client-options.js';

/** A window bound in the recorder's terms: its wall clock as written in the config, else an instant. */
function searchBound(bound: TimeBound | undefined, instantMs: number): string | Date {
  return bound?.kind === 'wall-clock' ? bound.wallClock : new Date(instantMs);
}

function instantOf(bound: string | Date, model: ClockModel): number {
  return bound instanceof Date ? bound.getTime() : instantOfWallClock(bound, model);
}

/** Every channel's recordings found by `search`, as spans. */
async function* spansOf(channels: readonly number[], search: (channel: number) => AsyncIterable<HikvisionRecording>): AsyncIterable<{ startMs: number; endMs: number }> {
  for (const channel of channels) {
    for await (const recording of search(channel)) yield { startMs: recording.start.getTime(), endMs: recording.end.getTime() };
  }
}

/**
 * A Hikvision ISAPI camera or recorder: searched per channel as the device pages, each file sent
 * back verbatim by its playbackURI and verified against the URI's `size=`. The device cannot delete.
 */
export async function createHikvisionSource(camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void): Promise<CameraSource> {
  const client = createHikvisionClient({
    ...(await clientOptions(camera, password, 'admin')),
    // Without time-zone the recorder's offset comes from /ISAPI/System/time.
    ...(camera.timeZone !== undefined ? { timeZone: camera.timeZone } : {}),
  });
  const byKey = new Map<string, HikvisionRecording>();
  // What each download turned out to be, by its first bytes (the library sniffs it).
  const containers = new Map<string, RecordingDownloadResult['container']>();
  return {
    connections: camera.connections,
    async list(window, signal): Promise<CameraListing> {
      byKey.clear();
      const info = await client.getDeviceInfo({ signal });
      // Recorders stream MPEG-PS, IP cameras MP4: the name says which before the file is here.
      const recorder = /NVR|DVR|HVR/i.test(info.deviceType ?? '');
      const extension = recorder ? 'ps' : 'mp4';
      const channels = camera.channels === 'all' ? (await client.listChannels({ signal })).map((channel) => channel.id) : camera.channels;
      const start = searchBound(camera.since?.kind === 'relative' ? undefined : camera.since, window.startMs ?? 0);
      const end = searchBound(camera.until?.kind === 'relative' ? undefined : camera.until, window.endMs);
      const recordings: RemoteRecording[] = [];
      const coverage = new Map<number, { startMs: number; endMs: number }>();
      const notes: string[] = [`hikvision ${recorder ? 'recorder' : 'camera'}${info.model ? ` ${info.model}` : ''}${info.firmwareVersion ? ` ${info.firmwareVersion}` : ''}`];
      for (const channel of channels) {
        let found = 0;
        for await (const recording of searchRecordings(client, { channel, start, end, signal, onWarning })) {
          const remoteKey = `${recording.trackId}/${recording.startTime}/${recording.endTime}/${recording.name ?? ''}`;
          if (byKey.has(`${channel}\u0000${remoteKey}`)) continue;
          byKey.set(`${channel}\u0000${remoteKey}`, recording);
          found += 1;
          recordings.push({
            channel,
            remoteKey,
            remoteName: recording.name ?? `${recording.startTime} – ${recording.endTime}`,
            fileName: recordingFileName(recording, extension),
            startMs: recording.start.getTime(),
            endMs: recording.end.getTime(),
            cameraStart: recording.startWallClock,
            size: recording.size,
          });
        }
        const model = await client.clockModel({ signal });
        coverage.set(channel, { startMs: instantOf(start, model), endMs: instantOf(end, model) });
        notes.push(`channel ${channel}: ${found} recordings`);
      }
      // Nothing in the window: what the recorder holds from 2000 to ten years ahead (a wrong clock must not look like an empty disk).
      const outsideWindow = recordings.length === 0 ? await probeOutside(spansOf(channels, (channel) => searchRecordings(client, { channel, ...probeSpan(), signal })), signal) : undefined;
      return { recordings, coverage, notes, outsideWindow };
    },
    async download(remote, folder, options) {
      const recording = byKey.get(`${remote.channel}\u0000${remote.remoteKey}`);
      if (!recording) throw new Error(`${remote.remoteName} is not in the camera's current listing`);
      await mkdir(folder, { recursive: true });
      const path = join(folder, remote.fileName);
      const result = await client.downloadRecording(recording, path, transferOptions(camera, options));
      containers.set(`${remote.channel}\u0000${remote.remoteKey}`, result.container);
      // The size= of the playbackURI is the length the device promised (a file of another size was removed and threw).
      return { path, result: { ...result, verified: result.verified || result.sizeVerified } };
    },
    async checkFile(remote, path) {
      const size = (await stat(path)).size;
      if (remote.size !== undefined && size !== remote.size) return { ok: false, reason: `${size} bytes, its playbackURI says size=${remote.size}` };
      // An MP4 is parsed to its end; an MPEG program stream has no end to find: its size= is the evidence.
      if (containers.get(`${remote.channel}\u0000${remote.remoteKey}`) !== 'mp4') return { ok: true, whole: false };
      const check = await checkContainerFile(path, 'mp4');
      return check.ok ? { ok: true, whole: true } : check;
    },
    close: () => client.close(),
  };
}
