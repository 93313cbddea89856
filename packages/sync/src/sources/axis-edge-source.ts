import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AxisEdgeError, checkExportFile, createAxisEdgeClient, exportFileName, exportRecording, type EdgeRecording } from '@camdl/axis-edge';
import { localTimeZone } from '@camdl/internal';
import type { CameraConfig } from '../config.js';
import { wallClockIn } from '../layout.js';
import { probeOutside, type CameraListing, type CameraSource, type RemoteRecording } from './camera-source.js';
import { clientOptions, transferOptions } from './client-options.js';

/** The recording's key in the ledger: disk and id (one id may exist on two disks). */
function keyOf(recording: Pick<EdgeRecording, 'diskId' | 'recordingId'>): string {
  return `${recording.diskId}/${recording.recordingId}`;
}

/** The completed recordings of a listing, as spans. */
async function* completedOf(listing: AsyncIterable<EdgeRecording>): AsyncIterable<{ startMs: number; endMs: number }> {
  for await (const recording of listing) {
    if (recording.stop !== undefined) yield { startMs: recording.start.getTime(), endMs: recording.stop.getTime() };
  }
}

/**
 * An Axis camera's edge storage (SD card, network share): `list.cgi`, `exportrecording.cgi`,
 * `remove.cgi`. Exports carry no length: each is proven whole from its container and duration.
 */
export async function createAxisEdgeSource(camera: CameraConfig, password: string | undefined, onWarning: (message: string) => void): Promise<CameraSource> {
  const client = createAxisEdgeClient(await clientOptions(camera, password, 'root'));
  const zone = camera.timeZone ?? localTimeZone();
  const byKey = new Map<string, EdgeRecording>();
  const expectedDuration = (remote: RemoteRecording): number => (remote.endMs - remote.startMs) / 1000;
  return {
    connections: camera.connections,
    async list(window, signal): Promise<CameraListing> {
      byKey.clear();
      const recordings: RemoteRecording[] = [];
      let inProgress = 0;
      for await (const recording of client.listRecordings({
        diskId: camera.disk,
        start: window.startMs === undefined ? undefined : new Date(window.startMs),
        stop: new Date(window.endMs),
        signal,
        onWarning,
      })) {
        // Still being written: its export would be cut where the recording is now. A later run fetches it.
        if (recording.inProgress || recording.stop === undefined) {
          inProgress += 1;
          continue;
        }
        const remoteKey = keyOf(recording);
        byKey.set(remoteKey, recording);
        recordings.push({
          channel: 0,
          remoteKey,
          remoteName: recording.recordingId,
          fileName: exportFileName(recording, camera.format),
          startMs: recording.start.getTime(),
          endMs: recording.stop.getTime(),
          // The camera's own wall clock (starttimelocal) when it lists it: the day in the layout.
          cameraStart: recording.startWallClock ?? wallClockIn(recording.start.getTime(), zone),
          // Exports have no length: completeness is proven from the container instead.
          size: undefined,
        });
      }
      const notes = [`axis edge storage${camera.disk === undefined ? '' : ` (${camera.disk})`}: ${recordings.length} recordings listed`];
      if (inProgress > 0) notes.push(`${inProgress} recording(s) still being written: fetched once complete`);
      // Nothing in the window: what the card holds at all (a wrong camera clock must not look like an empty card).
      const outsideWindow = recordings.length === 0 && inProgress === 0 ? await probeOutside(completedOf(client.listRecordings({ diskId: camera.disk, signal })), signal) : undefined;
      return { recordings, coverage: new Map([[0, { startMs: window.startMs ?? Number.NEGATIVE_INFINITY, endMs: window.endMs }]]), notes, outsideWindow };
    },
    async download(remote, folder, options) {
      const recording = byKey.get(remote.remoteKey);
      if (!recording) throw new Error(`${remote.remoteName} is not in the camera's current listing`);
      await mkdir(folder, { recursive: true });
      const path = join(folder, remote.fileName);
      const result = await exportRecording(client, recording, path, { format: camera.format, ...transferOptions(camera, options) });
      // No Content-Length exists to verify against: exportRecording parsed the container to its end
      // and matched its duration with the recording's (or removed the file and threw).
      return { path, result: { ...result, verified: result.containerVerified } };
    },
    async checkFile(remote, path) {
      const check = await checkExportFile(path, { format: camera.format, durationSec: expectedDuration(remote) });
      return check.ok ? { ok: true, whole: true } : check;
    },
    async delete(remote, signal) {
      const recording = byKey.get(remote.remoteKey);
      if (!recording) throw new Error(`${remote.remoteName} is not in the camera's current listing`);
      const [removal] = await client.removeRecordings([recording], { signal });
      if (removal?.ok !== true) {
        throw new AxisEdgeError(`remove.cgi did not remove ${recording.recordingId}: ${removal?.message ?? 'no answer'}`, { code: 'ERR_AXIS_EDGE_DEVICE', recordingId: recording.recordingId });
      }
    },
    close: () => client.close(),
  };
}
