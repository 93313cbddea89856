import { describe, expect, it } from 'vitest';
import { sha256File } from '@camdl/test-utils';
import { fleetStatus, sqliteAvailable, syncFleet } from '@camdl/sync';
import { join } from 'node:path';
import { collect, dailyArchives, listFiles, fleetsClosedAfterEach, type TestFleet } from './fleet-helpers.js';

const WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: UTC', 'channels: all'];

/** Two recordings per channel on 16 January 2026. */
function perChannel(channels: number): Array<{ start: string; end: string; content: 'synthetic'; size: number; channel: number }> {
  return Array.from({ length: channels }, (_, index) => index + 1).flatMap((channel) =>
    [20, 21].map((hour) => ({ start: `2026-01-16 ${hour}:00:00`, end: `2026-01-16 ${hour}:59:59`, content: 'synthetic' as const, size: 20_000 + channel * 100 + hour, channel })),
  );
}

describe.skipIf(!sqliteAvailable())('channels: all on Amcrest cameras and recorders', () => {
  const startFleet = fleetsClosedAfterEach();
  let fleet: TestFleet | undefined;

  it('archives every channel the device says it has (an NVR and a camera); a device that does not say fails alone', async () => {
    fleet = await startFleet(
      [
        { name: 'nvr', sim: { profile: 'amcrest', content: { recordings: perChannel(3) }, amcrest: { channelCount: 3, channelCountAnswer: 'nvr' } }, extra: WINDOW },
        { name: 'porch', sim: { profile: 'amcrest', content: { recordings: perChannel(1) }, amcrest: { channelCount: 1, channelCountAnswer: 'camera' } }, extra: WINDOW },
        { name: 'mute', sim: { profile: 'amcrest', content: { recordings: perChannel(2) }, amcrest: { channelCount: 2, channelCountAnswer: 'none' } }, extra: WINDOW },
        { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 1) } }, extra: ['time-zone: UTC'] },
      ],
      { top: ['layout: "{camera}/ch{channel}/{yyyy}-{mm}-{dd}/{file}"'] },
    );
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    const byName = new Map(result.summary.cameras.map((camera) => [camera.camera, camera]));
    expect(byName.get('nvr')).toMatchObject({ status: 'ok', listed: 6, downloaded: 6 });
    expect(byName.get('porch')).toMatchObject({ status: 'ok', listed: 2, downloaded: 2 });
    expect(byName.get('mute')).toMatchObject({ status: 'failed', downloaded: 0, errorCode: 'ERR_AMCREST_NO_CHANNEL_COUNT' });
    expect(byName.get('mute')?.error).toMatch(/name the channels/);
    expect(byName.get('gate')).toMatchObject({ status: 'ok', downloaded: 1 });
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(files.filter((file) => file.startsWith('nvr/')).map((file) => file.split('/')[1])).toEqual(['ch1', 'ch1', 'ch2', 'ch2', 'ch3', 'ch3']);
    expect(files.filter((file) => file.startsWith('porch/'))).toHaveLength(2);
    // Byte for byte, each channel's recordings in that channel's folder.
    const nvr = fleet.sims.get('nvr')!;
    for (const channel of [1, 2, 3]) {
      const local = await Promise.all(files.filter((file) => file.startsWith(`nvr/ch${channel}/`)).map((file) => sha256File(join(fleet!.archive, file))));
      expect(local.sort()).toEqual(nvr.recordings.filter((recording) => recording.channel === channel).map((recording) => recording.sha256).sort());
    }
    const status = fleetStatus(fleet.config());
    expect(status.cameras.find((camera) => camera.name === 'nvr')?.channels.map((channel) => [channel.channel, channel.files])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });
});
