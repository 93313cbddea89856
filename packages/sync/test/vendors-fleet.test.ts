import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256File } from '@camdl/test-utils';
import { sqliteAvailable, syncFleet } from '@camdl/sync';
import { Ledger } from '@camdl/sync/testing';
import { collect, dailyArchives, listFiles, startFleet, type TestFleet } from './fleet-helpers.js';

const HIKVISION_WINDOW = ['since: 2026-01-16T00:00:00', 'until: 2026-01-18T00:00:00'];

/** `ch01_20260116_233000-20260116_234000.<extension>` from the simulator's wall clocks. */
function hikvisionName(recording: { channel: number; startTime: string; endTime: string }, extension: string): string {
  const compact = (wall: string): string => wall.replace(/-/g, '').replace(' ', '_').replace(/:/g, '');
  return `ch${String(recording.channel).padStart(2, '0')}_${compact(recording.startTime)}-${compact(recording.endTime)}.${extension}`;
}

describe.skipIf(!sqliteAvailable())('camdl sync with Axis edge storage and Hikvision beside Timelapse and Amcrest', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('one config archives all four kinds byte for byte, each day folder the camera’s own day across its local midnight', async () => {
    fleet = await startFleet([
      { name: 'gate', sim: { profile: 'timelapse3', content: { archives: dailyArchives('Gate', 2) } }, extra: ['time-zone: UTC'] },
      { name: 'kitchen', sim: { profile: 'amcrest', content: 'tiny' }, extra: ['since: 2026-01-16T00:00:00', 'until: 2026-01-17T00:00:00', 'time-zone: America/New_York'] },
      // 23:35, 23:45, 23:55 then 00:05, 00:15 in Berlin: one UTC day (the 16th), two camera days.
      { name: 'dock', sim: { profile: 'axis-edge', timeZone: 'Europe/Berlin', axisEdge: { firstStart: '2026-01-16T22:35:00Z', inProgress: false } } },
      // An IP camera (true UTC behind its Z) in New York, from 23:30 to 00:30 its time; its zone learnt from /ISAPI/System/time.
      { name: 'lobby', sim: { profile: 'hikvision', timeZone: 'America/New_York' }, extra: HIKVISION_WINDOW },
    ]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(run.ofType('file-failed')).toEqual([]);
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras.map((camera) => [camera.camera, camera.status, camera.downloaded])).toEqual([
      ['gate', 'ok', 2],
      ['kitchen', 'ok', 3],
      ['dock', 'ok', 5],
      ['lobby', 'ok', 6],
    ]);
    const files = await listFiles(fleet.archive);

    const axis = fleet.sims.get('dock')!.axisEdge!.recordings;
    expect(axis).toHaveLength(5);
    const axisDays = axis.map((recording, index) => (index < 3 ? '2026-01-16' : '2026-01-17'));
    for (const [index, recording] of axis.entries()) {
      const local = `dock/${axisDays[index]}/${recording.diskId}_${recording.recordingId}.mkv`;
      expect(files).toContain(local);
      expect(await sha256File(join(fleet.archive, local))).toBe(recording.exports.matroska.sha256);
    }

    const hikvision = fleet.sims.get('lobby')!.hikvision!.recordings;
    expect(hikvision.map((recording) => recording.startTime.slice(0, 10))).toEqual(['2026-01-16', '2026-01-16', '2026-01-16', '2026-01-17', '2026-01-17', '2026-01-17']);
    for (const recording of hikvision) {
      const local = `lobby/${recording.startTime.slice(0, 10)}/${hikvisionName(recording, 'mp4')}`;
      expect(files).toContain(local);
      expect(await sha256File(join(fleet.archive, local))).toBe(recording.sha256);
    }
    for (const archive of fleet.sims.get('gate')!.archives) {
      const match = files.find((file) => file.startsWith('gate/') && file.endsWith(`/${archive.filename}`));
      expect(await sha256File(join(fleet.archive, match!))).toBe(archive.sha256);
    }
    expect(files.filter((file) => !file.endsWith('SHA256SUMS'))).toHaveLength(16);

    const ledger = Ledger.open(fleet.config().ledger);
    try {
      expect(new Set(ledger.allRecordings().map((row) => row.state))).toEqual(new Set(['verified']));
    } finally {
      ledger.close();
    }
    // A second run finds everything archived.
    const again = await syncFleet(fleet.config(), { env: fleet.env });
    expect(again.outcome).toBe('ok');
    expect(again.summary.cameras.map((camera) => camera.downloaded)).toEqual([0, 0, 0, 0]);
  });

  it('Hikvision: a device capped at 25 per page is paged to the end over more than three pages, each recording once', async () => {
    fleet = await startFleet([
      { name: 'yard', sim: { profile: 'hikvision', timeZone: 'UTC', hikvision: { pageCap: 25, recordingsPerChannel: 80, recordingSeconds: 60 } }, extra: HIKVISION_WINDOW },
    ]);
    const result = await syncFleet(fleet.config(), { env: fleet.env });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]).toMatchObject({ listed: 80, downloaded: 80, failed: 0 });
    const sim = fleet.sims.get('yard')!;
    expect(sim.counters.requests['ContentMgmt/search']).toBeGreaterThanOrEqual(4);
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    expect(files.sort()).toEqual(sim.hikvision!.recordings.map((recording) => `yard/${recording.startTime.slice(0, 10)}/${hikvisionName(recording, 'mp4')}`).sort());
  });

  it('Hikvision ISAPI 1.0: the position is ignored, the search moves its start time; its Z is its local clock', async () => {
    fleet = await startFleet([
      {
        name: 'old',
        sim: { profile: 'hikvision', timeZone: 'America/Los_Angeles', hikvision: { isapiVersion: '1.0', pageCap: 25, recordingsPerChannel: 80, recordingSeconds: 60, firstStart: '2026-01-16 23:00:00' } },
        extra: [...HIKVISION_WINDOW, 'time-zone: America/Los_Angeles'],
      },
    ]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]).toMatchObject({ listed: 80, downloaded: 80 });
    const sim = fleet.sims.get('old')!;
    const files = (await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'));
    // Local 23:00 to 00:20: 60 recordings on the 16th, 20 on the 17th (in UTC all on the 17th).
    expect(files.filter((file) => file.startsWith('old/2026-01-16/'))).toHaveLength(60);
    expect(files.filter((file) => file.startsWith('old/2026-01-17/'))).toHaveLength(20);
    for (const recording of sim.hikvision!.recordings.slice(0, 3)) {
      expect(await sha256File(join(fleet.archive, `old/${recording.startTime.slice(0, 10)}/${hikvisionName(recording, 'mp4')}`))).toBe(recording.sha256);
    }
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const rows = ledger.allRecordings().sort((a, b) => a.startMs - b.startMs);
      // The instants are the real ones: 23:00 in Los Angeles is 07:00 UTC the next day.
      expect(new Date(rows[0]!.startMs).toISOString()).toBe('2026-01-17T07:00:00.000Z');
    } finally {
      ledger.close();
    }
  });

  it('Hikvision NVR: its Z is its local time (zone learnt from /ISAPI/System/time), files are MPEG-PS verified by size=', async () => {
    fleet = await startFleet([{ name: 'nvr', sim: { profile: 'hikvision', timeZone: 'Asia/Tokyo', hikvision: { device: 'nvr', recordingsPerChannel: 3 } }, extra: [...HIKVISION_WINDOW, 'channels: all'] }]);
    const result = await syncFleet(fleet.config(), { env: fleet.env });
    expect(result.outcome).toBe('ok');
    expect(result.summary.cameras[0]).toMatchObject({ listed: 6, downloaded: 6 });
    const sim = fleet.sims.get('nvr')!;
    const files = await listFiles(fleet.archive);
    for (const recording of sim.hikvision!.recordings) {
      const local = `nvr/${recording.startTime.slice(0, 10)}/${hikvisionName(recording, 'ps')}`;
      expect(files).toContain(local);
      expect(await sha256File(join(fleet.archive, local))).toBe(recording.sha256);
    }
    const ledger = Ledger.open(fleet.config().ledger);
    try {
      const first = ledger.allRecordings().sort((a, b) => a.startMs - b.startMs)[0]!;
      // 23:30 in Tokyo is 14:30 UTC: the Z was not read as UTC.
      expect(new Date(first.startMs).toISOString()).toBe('2026-01-16T14:30:00.000Z');
    } finally {
      ledger.close();
    }
  });

  it('Hikvision: a file that does not measure the size= of its playbackURI is not archived', async () => {
    fleet = await startFleet([{ name: 'liar', sim: { profile: 'hikvision', timeZone: 'UTC', hikvision: { uriSize: 'wrong', recordingsPerChannel: 2 } }, extra: [...HIKVISION_WINDOW, 'max-retries: 0'] }]);
    const run = collect();
    const result = await syncFleet(fleet.config(), { env: fleet.env, onEvent: run.onEvent });
    expect(result.outcome).toBe('some-failed');
    expect(run.ofType('file-failed')).toHaveLength(2);
    expect(run.ofType('file-failed')[0]!.error).toMatch(/size=/);
    expect((await listFiles(fleet.archive)).filter((file) => !file.endsWith('SHA256SUMS'))).toEqual([]);
  });
});
