import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@camdl/test-utils';
import { loadConfig, type FleetConfig, type RemoteRecording } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A recording of a camera in UTC (camera time = UTC), `hours` long from `startMs`. */
export function recording(channel: number, startMs: number, hours: number, key = `${channel}-${startMs}`): RemoteRecording {
  const cameraStart = new Date(startMs).toISOString().slice(0, 19).replace('T', ' ');
  return { channel, remoteKey: key, remoteName: key, fileName: `${key}.mp4`, startMs, endMs: startMs + hours * HOUR - 1000, cameraStart, size: 1000 };
}

/** What the ledger ends up holding of each recording. */
export type Fate = 'archived' | 'pending' | 'failing' | 'lost';

export interface StatusCameraSpec {
  name: string;
  kind: 'timelapse' | 'amcrest';
  recordings: Array<{ recording: RemoteRecording; fate: Fate }>;
  /** Outcomes of the camera's runs, oldest first, at the instants given. */
  runs: Array<{ atMs: number; status: 'ok' | 'failed'; error?: string }>;
}

/** A config and a ledger written through the Ledger API as syncs would leave them (no camera, no download). */
export class StatusFleet {
  private constructor(
    readonly dir: TempDir,
    readonly configPath: string,
  ) {}

  static async create(cameras: readonly StatusCameraSpec[]): Promise<StatusFleet> {
    const dir = await makeTempDir('camdl-status-');
    const lines = ['archive: ./archive', 'cameras:'];
    for (const camera of cameras) lines.push(`  - name: ${camera.name}`, `    kind: ${camera.kind}`, '    host: 127.0.0.1:9', '    time-zone: UTC');
    const configPath = join(dir.path, 'camdl.yaml');
    await writeFile(configPath, `${lines.join('\n')}\n`);
    const fleet = new StatusFleet(dir, configPath);
    let clock = 0;
    const ledger = Ledger.open(fleet.config().ledger, { now: () => clock });
    try {
      for (const camera of cameras) {
        const all = camera.recordings.map((entry) => entry.recording);
        const channels = new Set(all.map((item) => item.channel));
        const everything = new Map([...channels].map((channel) => [channel, { startMs: Number.NEGATIVE_INFINITY, endMs: Number.POSITIVE_INFINITY }]));
        clock = camera.runs[0]?.atMs ?? 0;
        ledger.stageListing(camera.name, all, everything);
        ledger.recordListing(camera.name);
        const ids = new Map<string, number>();
        let after;
        for (;;) {
          const page = ledger.toDownload(camera.name, after, 500);
          for (const row of page) ids.set(`${row.remote.channel}/${row.remote.remoteKey}`, row.id!);
          if (page.length < 500) break;
          after = page.at(-1)!.cursor;
        }
        for (const { recording: item, fate } of camera.recordings) {
          const id = ids.get(`${item.channel}/${item.remoteKey}`)!;
          if (fate === 'archived') ledger.markVerified(id, { localPath: `${camera.name}/${item.fileName}`, size: 1000, sha256: 'a'.repeat(64) });
          if (fate === 'failing') ledger.markFailed(id, 'HTTP 500');
        }
        ledger.dropListing(camera.name);
        // The lost ones vanished from a later listing that covers them.
        const kept = camera.recordings.filter((entry) => entry.fate !== 'lost').map((entry) => entry.recording);
        ledger.stageListing(camera.name, kept, everything);
        ledger.markVanishedLost(camera.name, 'vanished from the camera before it was archived');
        ledger.dropListing(camera.name);
        for (const run of camera.runs) {
          clock = run.atMs;
          const id = ledger.startRun({ dryRun: false });
          ledger.startCameraRun(id, camera.name);
          ledger.finishCameraRun(id, camera.name, { status: run.status, listed: all.length, downloaded: 0, bytes: 0, failed: 0, lost: 0, deleted: 0, error: run.error });
          ledger.finishRun(id, run.status === 'ok' ? 'ok' : 'some-failed');
        }
      }
    } finally {
      ledger.close();
    }
    return fleet;
  }

  config(): FleetConfig {
    return loadConfig(this.configPath);
  }

  cleanup(): Promise<void> {
    return this.dir.cleanup();
  }
}

/** A daily Timelapse camera: one 06:00–18:00 archive per day for `days` days from `firstDayMs` (UTC midnight). */
export function dailyTimelapse(firstDayMs: number, days: number, fate: (index: number) => Fate | 'absent' = () => 'archived'): StatusCameraSpec['recordings'] {
  return Array.from({ length: days }, (_, index) => ({ index, fate: fate(index) }))
    .filter((entry): entry is { index: number; fate: Fate } => entry.fate !== 'absent')
    .map(({ index, fate }) => ({ recording: recording(0, firstDayMs + index * DAY + 6 * HOUR, 12, `Site_${new Date(firstDayMs + index * DAY).toISOString().slice(0, 10)}`), fate }));
}
